using System.Diagnostics;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class DeadlineTests
{
    [Fact]
    public async Task Deadline_travels_as_grpc_timeout()
    {
        var seen = new Signal<string?>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            seen.Set(context.Request.Headers["grpc-timeout"]);
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel();

        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(30)), new EchoRequest());

        Assert.True(GrpcTimeout.TryParse(await seen.WaitAsync(), out var timeout));
        Assert.InRange(timeout, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Max_value_deadline_means_no_deadline()
    {
        var seen = new Signal<bool>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            seen.Set(context.Request.Headers.ContainsKey("grpc-timeout"));
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel();

        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(Deadline: DateTime.MaxValue), new EchoRequest());

        Assert.False(await seen.WaitAsync());
    }

    [Fact]
    public async Task Expired_deadline_resets_the_stream_and_ends_deadline_exceeded()
    {
        var started = new Signal<bool>();
        var serverAborted = new Signal<bool>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            context.RequestAborted.Register(() => serverAborted.Set(true));
            await GrpcWire.StartResponseAsync(context);
            started.Set(true);
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });
        using var channel = server.CreateChannel();
        var stopwatch = Stopwatch.StartNew();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1)), new EchoRequest());
        await started.WaitAsync();
        await call.ResponseHeadersAsync.OrTimeout();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, call.GetStatus().StatusCode);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(6));
        Assert.True(await serverAborted.WaitAsync());
    }

    [Fact]
    public async Task Past_deadline_fails_without_sending()
    {
        var requests = 0;
        await using var server = await WireServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref requests);
            await GrpcWire.RespondAsync(context, new EchoResponse());
        });
        using var channel = server.CreateChannel();

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker()
            .AsyncUnaryCall(EchoMethods.EchoNotIdempotent, null, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1)), new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        // A later call proves the server works, and that the first one never arrived.
        await channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        Assert.Equal(1, Volatile.Read(ref requests));
    }

    [Fact]
    public async Task Deadline_ends_a_server_stream_mid_way()
    {
        await using var server = await WireServer.StartAsync(async context =>
        {
            await GrpcWire.WriteResponseAsync(context, new EchoResponse { Index = 0 });
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
        });
        using var channel = server.CreateChannel();

        using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(EchoMethods.Expand, null, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1)), new EchoRequest());

        Assert.True(await call.ResponseStream.MoveNext().OrTimeout());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext().OrTimeout());
        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
    }

    [Fact]
    public void Local_time_deadline_is_rejected()
    {
        using var channel = GrpcChannel.ForAddress("http://127.0.0.1:1");

        Assert.Throws<InvalidOperationException>(() => channel.CreateCallInvoker()
            .AsyncUnaryCall(EchoMethods.EchoNotIdempotent, null, new CallOptions(Deadline: DateTime.Now.AddSeconds(5)), new EchoRequest()));
        Assert.Throws<InvalidOperationException>(() => channel.CreateCallInvoker()
            .AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(Deadline: DateTime.Now.AddSeconds(5)), new EchoRequest()));
    }
}
