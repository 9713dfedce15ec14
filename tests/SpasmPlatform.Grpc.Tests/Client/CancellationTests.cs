using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class CancellationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cancelling_the_token_resets_the_stream_and_ends_cancelled(bool afterResponseHeaders)
    {
        var started = new Signal<bool>();
        var serverAborted = new Signal<bool>();
        await using var server = await HangingServerAsync(started, serverAborted, sendHeaders: afterResponseHeaders);
        using var channel = server.CreateChannel();
        using var cts = new CancellationTokenSource();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(CancellationToken: cts.Token), new EchoRequest());
        await started.WaitAsync();
        if (afterResponseHeaders)
        {
            await call.ResponseHeadersAsync.OrTimeout();
        }

        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        Assert.True(await serverAborted.WaitAsync());
    }

    [Fact]
    public async Task Already_cancelled_token_fails_without_sending()
    {
        var requests = 0;
        await using var server = await WireServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref requests);
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker()
            .AsyncUnaryCall(EchoMethods.EchoNotIdempotent, null, new CallOptions(CancellationToken: new CancellationToken(true)), new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        Assert.Equal(1, Volatile.Read(ref requests));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Disposing_an_unfinished_call_cancels_it(bool afterResponseHeaders)
    {
        var started = new Signal<bool>();
        var serverAborted = new Signal<bool>();
        await using var server = await HangingServerAsync(started, serverAborted, sendHeaders: afterResponseHeaders);
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.EchoNotIdempotent, null, default, new EchoRequest());
        await started.WaitAsync();
        if (afterResponseHeaders)
        {
            await call.ResponseHeadersAsync.OrTimeout();
        }

        call.Dispose();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await serverAborted.WaitAsync());
    }

    [Fact]
    public async Task Disposing_a_finished_call_keeps_its_outcome()
    {
        await using var server = await WireServer.StartAsync(context => GrpcWire.RespondAsync(context, new EchoResponse { Message = "done" }));
        using var channel = server.CreateChannel();

        var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        await call;
        call.Dispose();

        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("done", (await call.ResponseAsync).Message);
    }

    [Fact]
    public async Task Cancelling_a_stream_read_cancels_the_call()
    {
        var started = new Signal<bool>();
        var serverAborted = new Signal<bool>();
        await using var server = await HangingServerAsync(started, serverAborted);
        using var channel = server.CreateChannel();
        using var cts = new CancellationTokenSource();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(EchoMethods.Expand, null, default, new EchoRequest());
        var read = call.ResponseStream.MoveNext(cts.Token);
        await started.WaitAsync();
        await cts.CancelAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => read.OrTimeout());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await serverAborted.WaitAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Disposing_the_channel_cancels_its_calls(bool afterResponseHeaders)
    {
        var started = new Signal<bool>();
        var serverAborted = new Signal<bool>();
        await using var server = await HangingServerAsync(started, serverAborted, sendHeaders: afterResponseHeaders);
        var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(EchoMethods.Expand, null, default, new EchoRequest());
        await started.WaitAsync();
        if (afterResponseHeaders)
        {
            await call.ResponseHeadersAsync.OrTimeout();
        }

        channel.Dispose();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.True(await serverAborted.WaitAsync());
    }

    /// <summary>Optionally sends headers, then waits for the client to go away, reporting both moments.</summary>
    private static Task<WireServer> HangingServerAsync(Signal<bool> started, Signal<bool> aborted, bool sendHeaders = true) =>
        WireServer.StartAsync(async context =>
        {
            context.RequestAborted.Register(() => aborted.Set(true));
            if (sendHeaders)
            {
                await GrpcWire.StartResponseAsync(context);
            }

            started.Set(true);
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });
}
