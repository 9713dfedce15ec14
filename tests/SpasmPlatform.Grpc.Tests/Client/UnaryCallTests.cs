using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class UnaryCallTests
{
    [Fact]
    public async Task Sends_a_spec_conformant_request_and_reads_the_response()
    {
        var seen = new Signal<(string Protocol, string Method, string Path, IHeaderDictionary Headers, EchoRequest? Request)>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            var request = await GrpcWire.ReadRequestAsync<EchoRequest>(context);
            seen.Set((context.Request.Protocol, context.Request.Method, context.Request.Path, context.Request.Headers, request));
            await GrpcWire.RespondAsync(context, new EchoResponse { Message = request!.Message + "!" });
        });
        using var channel = server.CreateChannel();

        var response = await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { Message = "hi" });

        Assert.Equal("hi!", response.Message);
        var (protocol, method, path, headers, request) = await seen.WaitAsync();
        Assert.Equal("HTTP/2", protocol);
        Assert.Equal("POST", method);
        Assert.Equal("/spasm.testing.v1.EchoService/Echo", path);
        Assert.Equal("application/grpc", headers.ContentType);
        Assert.Equal("trailers", headers["te"]);
        Assert.StartsWith("grpc-csharp-spasm/", headers.UserAgent.ToString());
        Assert.Equal(MessageCompression.AcceptEncoding, headers["grpc-accept-encoding"]);
        Assert.False(headers.ContainsKey("grpc-timeout"));
        Assert.False(headers.ContainsKey("grpc-encoding"));
        Assert.Null(headers.ContentLength);
        Assert.Equal("hi", request!.Message);
    }

    [Fact]
    public async Task Status_trailers_and_headers_are_available_after_a_successful_call()
    {
        var release = new Signal<bool>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            context.Response.Headers["x-served-by"] = "node-7";
            await GrpcWire.StartResponseAsync(context);
            await release.WaitAsync();
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Message = "ok" });
            context.Response.AppendTrailer("x-cost", "3");
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        var headers = await call.ResponseHeadersAsync;
        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        Assert.Throws<InvalidOperationException>(() => call.GetTrailers());
        release.Set(true);
        Assert.Equal("ok", (await call.ResponseAsync).Message);

        Assert.Equal("node-7", headers.GetValue("x-served-by"));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("3", call.GetTrailers().GetValue("x-cost"));
        Assert.Null(call.GetTrailers().GetValue("grpc-status"));
    }

    [Fact]
    public async Task Error_status_in_trailers_surfaces_as_RpcException_with_decoded_message()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.StartResponseAsync(context);
            context.Response.AppendTrailer("x-trace", "abc");
            GrpcWire.SetStatus(context, StatusCode.FailedPrecondition, "Patient 42 needs a 100% complete intake – café");
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        Assert.Equal("Patient 42 needs a 100% complete intake – café", error.Status.Detail);
        Assert.Equal("abc", error.Trailers.GetValue("x-trace"));
        Assert.Equal(error.Status, call.GetStatus());
    }

    [Fact]
    public async Task Trailers_only_response_ends_the_call_with_its_status()
    {
        await using var server = await WireServer.StartAsync(context =>
        {
            GrpcWire.TrailersOnly(context, StatusCode.NotFound, "no such patient");
            context.Response.Headers["x-shard"] = "2";
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal("no such patient", error.Status.Detail);
        Assert.Equal("2", error.Trailers.GetValue("x-shard"));
        Assert.Equal("2", (await call.ResponseHeadersAsync).GetValue("x-shard"));
    }

    [Fact]
    public async Task Rich_error_details_are_parsed_from_grpc_status_details_bin()
    {
        var rich = RichErrors.InvalidArgument("Intake is invalid.", [("pain_score", "must be 0-10"), ("age", "required")]).RichStatus!;
        await using var server = await WireServer.StartAsync(context =>
        {
            GrpcWire.TrailersOnly(context, StatusCode.InvalidArgument, "Intake is invalid.");
            context.Response.Headers[RichErrors.DetailsTrailer] = Convert.ToBase64String(Google.Protobuf.MessageExtensions.ToByteArray(rich)).TrimEnd('=');
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var badRequest = error.RichStatus!.GetDetail<Google.Rpc.BadRequest>();
        Assert.Equal(["pain_score", "age"], badRequest!.FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task Host_argument_sets_the_authority()
    {
        var seen = new Signal<string>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            seen.Set(context.Request.Host.Value!);
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel();

        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, "triage.internal:443", default, new EchoRequest());

        Assert.Equal("triage.internal:443", await seen.WaitAsync());
    }

    [Fact]
    public async Task Request_over_the_send_limit_fails_without_reaching_the_server()
    {
        var requests = 0;
        await using var server = await WireServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref requests);
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 100 });

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker()
            .AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[200]) }).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Equal(0, Volatile.Read(ref requests));
    }

    [Fact]
    public async Task Response_over_the_receive_limit_fails_with_resource_exhausted()
    {
        await using var server = await WireServer.StartAsync(context =>
            GrpcWire.RespondAsync(context, new EchoResponse { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[2048]) }));
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1024 });

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Address_path_base_is_kept_in_the_request_path()
    {
        var seen = new Signal<string>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            seen.Set(context.Request.Path);
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = GrpcChannel.ForAddress(server.Address.TrimEnd('/') + "/triage/");

        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());

        Assert.Equal("/triage/spasm.testing.v1.EchoService/Echo", await seen.WaitAsync());
    }

    [Fact]
    public void Channel_rejects_non_http_addresses_and_unknown_compression()
    {
        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddress("ftp://127.0.0.1:1"));
        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddress("http://127.0.0.1:1", new GrpcChannelOptions { CompressionAlgorithm = "br" }));
    }

    [Fact]
    public void Calls_on_a_disposed_channel_throw()
    {
        var channel = GrpcChannel.ForAddress("http://127.0.0.1:1");
        var invoker = channel.CreateCallInvoker();
        channel.Dispose();

        Assert.Throws<ObjectDisposedException>(() => invoker.AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest()));
        Assert.Throws<ObjectDisposedException>(() => channel.CreateCallInvoker());
    }
}
