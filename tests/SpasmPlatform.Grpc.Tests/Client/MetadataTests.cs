using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class MetadataTests
{
    [Fact]
    public async Task Text_and_binary_request_metadata_reach_the_server()
    {
        var seen = new Signal<(string? Text, string? RawBinary)>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            seen.Set((context.Request.Headers["x-patient"], context.Request.Headers["x-trace-bin"]));
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel();
        var headers = new Metadata().Add("x-patient", "p-42").Add("x-trace-bin", new byte[] { 1, 2, 3, 4 });

        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(headers), new EchoRequest());

        var (text, rawBinary) = await seen.WaitAsync();
        Assert.Equal("p-42", text);
        // Base64 of 4 bytes needs "==" padding; the spec asks senders to leave it out.
        Assert.Equal("AQIDBA", rawBinary);
    }

    [Fact]
    public async Task Metadata_cannot_override_protocol_headers()
    {
        var seen = new Signal<(string? UserAgent, string? Te, string? ContentType)>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            seen.Set((context.Request.Headers.UserAgent, context.Request.Headers["te"], context.Request.ContentType));
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel();
        var headers = new Metadata().Add("user-agent", "spoof").Add("te", "gzip").Add("content-type", "text/plain");

        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(headers), new EchoRequest());

        var (userAgent, te, contentType) = await seen.WaitAsync();
        Assert.StartsWith("grpc-csharp-spasm/", userAgent);
        Assert.Equal("trailers", te);
        Assert.Equal("application/grpc", contentType);
    }

    [Fact]
    public async Task Binary_response_headers_and_trailers_are_decoded_padded_unpadded_and_repeated()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            context.Response.Headers["x-sig-bin"] = "AQIDBA==";
            context.Response.Headers["x-plain"] = "value";
            await GrpcWire.WriteResponseAsync(context, new EchoResponse());
            context.Response.AppendTrailer("x-audit-bin", "AQ,AgM");
            context.Response.AppendTrailer("x-count", "2");
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        var headers = await call.ResponseHeadersAsync;
        await call;

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, headers.GetValueBytes("x-sig-bin"));
        Assert.Equal("value", headers.GetValue("x-plain"));
        Assert.DoesNotContain(headers, entry => entry.Key.StartsWith("grpc-", StringComparison.Ordinal) || entry.Key == "content-type");
        var trailers = call.GetTrailers();
        Assert.Equal([new byte[] { 1 }, new byte[] { 2, 3 }], trailers.GetAll("x-audit-bin").Select(e => e.ValueBytes));
        Assert.Equal("2", trailers.GetValue("x-count"));
    }
}
