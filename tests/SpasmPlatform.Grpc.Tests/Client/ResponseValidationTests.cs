using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>Responses that are not a well-formed gRPC answer: proxies' error pages, broken servers, resets.</summary>
public sealed class ResponseValidationTests
{
    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    [InlineData(418, StatusCode.Unknown)]
    public async Task Http_error_without_grpc_status_maps_per_the_spec_table(int httpStatus, StatusCode expected)
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            context.Response.StatusCode = httpStatus;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<h1>proxy error</h1>");
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(expected, error.StatusCode);
        Assert.Contains(httpStatus.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Status.Detail);
    }

    [Fact]
    public async Task Grpc_status_wins_over_the_http_status()
    {
        await using var server = await WireServer.StartAsync(context =>
        {
            GrpcWire.TrailersOnly(context, StatusCode.ResourceExhausted, "quota");
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal("quota", error.Status.Detail);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/grpc-web")]
    [InlineData("application/json")]
    public async Task Non_grpc_content_type_fails_with_a_clear_message(string contentType)
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            context.Response.ContentType = contentType;
            await context.Response.WriteAsync("{}");
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("content-type", error.Status.Detail);
        Assert.Contains(contentType, error.Status.Detail);
    }

    [Fact]
    public async Task Grpc_proto_content_type_with_parameters_is_accepted()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.StartResponseAsync(context, "application/grpc+proto; charset=utf-8");
            await GrpcWire.RespondAsync(context, new EchoResponse { Message = "fine" });
        });
        using var channel = server.CreateChannel();

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());

        Assert.Equal("fine", response.Message);
    }

    [Fact]
    public async Task Missing_grpc_status_fails_the_call_even_with_a_message()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Message = "orphan" });
            context.Response.AppendTrailer("x-other", "1");
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("grpc-status", error.Status.Detail);
    }

    [Fact]
    public async Task Unparsable_grpc_status_is_unknown()
    {
        await using var server = await WireServer.StartAsync(context =>
        {
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = "fourteen";
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.Contains("fourteen", error.Status.Detail);
    }

    [Fact]
    public async Task Unary_ok_without_a_message_is_internal()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.StartResponseAsync(context);
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Unary_ok_in_trailers_only_is_internal()
    {
        await using var server = await WireServer.StartAsync(context =>
        {
            GrpcWire.TrailersOnly(context, StatusCode.OK);
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Unary_with_two_messages_is_internal()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Message = "one" });
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Message = "two" });
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("more than one message", error.Status.Detail);
    }

    [Fact]
    public async Task Truncated_message_is_internal()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.StartResponseAsync(context);
            // Header announces 10 bytes; only 3 follow before the stream ends.
            await context.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 10, 1, 2, 3 });
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
    }

    [Fact]
    public async Task Compressed_message_in_an_unsupported_encoding_is_unimplemented()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            context.Response.Headers["grpc-encoding"] = "snappy";
            await GrpcWire.StartResponseAsync(context);
            await context.Response.Body.WriteAsync(new byte[] { 1, 0, 0, 0, 2, 9, 9 });
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("snappy", error.Status.Detail);
    }

    [Fact]
    public async Task Stream_reset_by_the_server_is_internal()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.StartResponseAsync(context);
            await context.Response.Body.FlushAsync();
            // Kestrel resets an aborted HTTP/2 stream with INTERNAL_ERROR.
            context.Features.Get<IHttpResetFeature>()!.Reset(2);
        });
        using var channel = server.CreateChannel();

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Contains("reset", error.Status.Detail);
    }

    [Fact]
    public async Task Refused_stream_is_unavailable()
    {
        await using var server = await WireServer.StartAsync(context =>
        {
            context.Features.Get<IHttpResetFeature>()!.Reset(7);
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel(new SpasmPlatform.Grpc.Client.GrpcChannelOptions { Retry = new() { MaxRetryAttempts = 0 } });

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    [Fact]
    public async Task Connection_refused_is_unavailable()
    {
        // Bind and release a port so nothing listens on it.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var channel = SpasmPlatform.Grpc.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new() { Retry = new() { MaxRetryAttempts = 0 } });

        var error = await CallEchoAsync(channel);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }

    private static Task<RpcException> CallEchoAsync(SpasmPlatform.Grpc.Client.GrpcChannel channel) =>
        Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.EchoNotIdempotent, null, default, new EchoRequest()).ResponseAsync);
}
