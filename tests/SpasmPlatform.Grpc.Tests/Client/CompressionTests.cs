using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class CompressionTests
{
    [Theory]
    [InlineData(MessageCompression.Gzip)]
    [InlineData(MessageCompression.Deflate)]
    public async Task Compressed_responses_are_decompressed(string encoding)
    {
        var text = new string('a', 5000);
        await using var server = await WireServer.StartAsync(async context =>
        {
            context.Response.Headers["grpc-encoding"] = encoding;
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Message = text }, encoding);
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());

        Assert.Equal(text, response.Message);
    }

    [Fact]
    public async Task Channel_compression_compresses_request_messages_and_names_the_encoding()
    {
        var seen = new Signal<(string? Encoding, byte Flag, EchoRequest? Request)>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            var body = await ReadBodyAsync(context);
            string? encoding = context.Request.Headers["grpc-encoding"];
            var request = await MessageFraming.ReadMessageAsync(PipeReader.Create(new MemoryStream(body)), EchoRequest.Parser, null, encoding, CancellationToken.None);
            seen.Set((encoding, body[0], request));
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel(new GrpcChannelOptions { CompressionAlgorithm = MessageCompression.Gzip });

        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { Message = new string('z', 4000) });

        var (encoding, flag, request) = await seen.WaitAsync();
        Assert.Equal("gzip", encoding);
        Assert.Equal(1, flag);
        Assert.Equal(new string('z', 4000), request!.Message);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }
}
