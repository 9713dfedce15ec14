using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class StreamingCallTests
{
    [Fact]
    public async Task Server_stream_delivers_each_message_as_it_is_sent()
    {
        var clientGotFirst = new Signal<bool>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            var request = await GrpcWire.ReadRequestAsync<EchoRequest>(context);
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Message = request!.Message, Index = 0 });
            // The second message is only sent once the client has read the first: buffering would deadlock here.
            await clientGotFirst.WaitAsync();
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Message = request.Message, Index = 1 });
            context.Response.AppendTrailer("x-total", "2");
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(EchoMethods.Expand, null, default, new EchoRequest { Message = "pain" });

        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(0, call.ResponseStream.Current.Index);
        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        clientGotFirst.Set(true);
        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(1, call.ResponseStream.Current.Index);
        Assert.False(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("2", call.GetTrailers().GetValue("x-total"));
    }

    [Fact]
    public async Task Server_stream_error_after_messages_is_thrown_by_the_next_read()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Index = 0 });
            GrpcWire.SetStatus(context, StatusCode.Aborted, "shard moved");
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(EchoMethods.Expand, null, default, new EchoRequest());

        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("shard moved", error.Status.Detail);
        Assert.Throws<InvalidOperationException>(() => call.ResponseStream.Current);
    }

    [Fact]
    public async Task Server_stream_with_trailers_only_ok_is_empty()
    {
        await using var server = await WireServer.StartAsync(context =>
        {
            GrpcWire.TrailersOnly(context, StatusCode.OK);
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(EchoMethods.Expand, null, default, new EchoRequest());

        Assert.False(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_stream_sends_every_message_then_half_closes()
    {
        var received = new Signal<List<EchoRequest>>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            var requests = await GrpcWire.ReadAllRequestsAsync<EchoRequest>(context);
            received.Set(requests);
            await GrpcWire.RespondAsync(context, new EchoResponse { Message = string.Concat(requests.Select(r => r.Message)) });
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(EchoMethods.Collect, null, default);
        foreach (var part in new[] { "low", "er-", "back" })
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = part });
        }

        await call.RequestStream.CompleteAsync();

        Assert.Equal("lower-back", (await call).Message);
        Assert.Equal(3, (await received.WaitAsync()).Count);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Client_stream_failed_by_the_server_reports_its_status_to_writer_and_response()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.ReadRequestAsync<EchoRequest>(context);
            GrpcWire.TrailersOnly(context, StatusCode.InvalidArgument, "first message is invalid");
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(EchoMethods.Collect, null, default);
        await call.RequestStream.WriteAsync(new EchoRequest { Message = "bad" });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var writeError = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest { Message = "more" }));
        Assert.Equal(StatusCode.InvalidArgument, writeError.StatusCode);
    }

    [Fact]
    public async Task Duplex_call_is_full_duplex()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.StartResponseAsync(context);
            var index = 0;
            while (await GrpcWire.ReadRequestAsync<EchoRequest>(context) is { } request)
            {
                await GrpcWire.WriteResponseAsync(context, new EchoResponse { Message = request.Message.ToUpperInvariant(), Index = index++ });
            }

            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(EchoMethods.Chat, null, default);
        // Each answer is read before the next question is written: only works if both directions are live at once.
        foreach (var (word, index) in new[] { "where", "does", "it", "hurt" }.Select((w, i) => (w, i)))
        {
            await call.RequestStream.WriteAsync(new EchoRequest { Message = word });
            Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
            Assert.Equal(word.ToUpperInvariant(), call.ResponseStream.Current.Message);
            Assert.Equal(index, call.ResponseStream.Current.Index);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Duplex_response_headers_arrive_before_the_client_writes()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            context.Response.Headers["x-session"] = "s-1";
            await GrpcWire.StartResponseAsync(context);
            await GrpcWire.ReadAllRequestsAsync<EchoRequest>(context);
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(EchoMethods.Chat, null, default);

        Assert.Equal("s-1", (await call.ResponseHeadersAsync.OrTimeout()).GetValue("x-session"));
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext().OrTimeout());
    }

    [Fact]
    public async Task Write_over_the_send_limit_fails_only_that_write()
    {
        var received = new Signal<List<EchoRequest>>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            received.Set(await GrpcWire.ReadAllRequestsAsync<EchoRequest>(context));
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 1024 });

        using var call = channel.CreateCallInvoker().AsyncClientStreamingCall(EchoMethods.Collect, null, default);
        var tooLarge = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync(new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[2048]) }));
        await call.RequestStream.WriteAsync(new EchoRequest { Message = "small" });
        await call.RequestStream.CompleteAsync();
        await call;

        Assert.Equal(StatusCode.ResourceExhausted, tooLarge.StatusCode);
        Assert.Equal(["small"], (await received.WaitAsync()).Select(r => r.Message));
    }

    [Fact]
    public async Task Writer_allows_one_write_at_a_time_and_none_after_complete()
    {
        var release = new Signal<bool>();
        var received = new Signal<List<EchoRequest>>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.StartResponseAsync(context);
            await release.WaitAsync();
            received.Set(await GrpcWire.ReadAllRequestsAsync<EchoRequest>(context));
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncDuplexStreamingCall(EchoMethods.Chat, null, default);
        // Larger than the server's HTTP/2 receive window, so it stays pending until the server reads.
        var pending = call.RequestStream.WriteAsync(new EchoRequest { Payload = Google.Protobuf.ByteString.CopyFrom(new byte[3 * 1024 * 1024]) });

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync(new EchoRequest()));
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.CompleteAsync());
        release.Set(true);
        await pending.OrTimeout();
        await call.RequestStream.CompleteAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync(new EchoRequest()));

        Assert.False(await call.ResponseStream.MoveNext().OrTimeout());
        Assert.Single(await received.WaitAsync());
    }

    [Fact]
    public async Task Concurrent_reads_are_refused()
    {
        var release = new Signal<bool>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.StartResponseAsync(context);
            await release.WaitAsync();
            GrpcWire.SetStatus(context, StatusCode.OK);
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(EchoMethods.Expand, null, default, new EchoRequest());
        var first = call.ResponseStream.MoveNext().OrTimeout();

        await Assert.ThrowsAsync<InvalidOperationException>(() => call.ResponseStream.MoveNext().OrTimeout());
        release.Set(true);
        Assert.False(await first.OrTimeout());
    }

    [Fact]
    public void Starting_a_method_as_the_wrong_shape_is_refused()
    {
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:1");
        var invoker = channel.CreateCallInvoker();

        Assert.Throws<ArgumentException>(() => invoker.AsyncUnaryCall(EchoMethods.Expand, null, default, new EchoRequest()));
        Assert.Throws<ArgumentException>(() => invoker.AsyncDuplexStreamingCall(EchoMethods.Collect, null, default));
    }
}
