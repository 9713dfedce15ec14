using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.Client;

public sealed class RetryTests
{
    private static readonly GrpcChannelOptions FastRetries = new()
    {
        Retry = new GrpcRetryOptions { InitialBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(20) },
    };

    [Fact]
    public async Task Idempotent_call_is_retried_after_http_503_until_it_succeeds()
    {
        var attempts = new ConcurrentQueue<string?>();
        await using var server = await WireServer.StartAsync(async context =>
        {
            attempts.Enqueue(context.Request.Headers["grpc-previous-rpc-attempts"]);
            if (attempts.Count <= 2)
            {
                context.Response.StatusCode = 503;
                return;
            }

            await GrpcWire.RespondAsync(context, new EchoResponse { Message = "third time" });
        });
        using var channel = server.CreateChannel(FastRetries);

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());

        Assert.Equal("third time", (await call).Message);
        Assert.Equal([null, "1", "2"], attempts);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task Retries_stop_after_the_configured_number_with_the_last_status()
    {
        var attempts = 0;
        await using var server = await WireServer.StartAsync(context =>
        {
            var attempt = Interlocked.Increment(ref attempts);
            GrpcWire.TrailersOnly(context, StatusCode.Unavailable, $"down ({attempt})");
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel(FastRetries);

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        // Default: three retries after the first attempt.
        Assert.Equal(4, Volatile.Read(ref attempts));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("down (4)", error.Status.Detail);
        Assert.Equal(error.Status, call.GetStatus());
    }

    [Fact]
    public async Task Max_retry_attempts_is_configurable()
    {
        var attempts = 0;
        await using var server = await UnavailableServerAsync(() => Interlocked.Increment(ref attempts));
        using var channel = server.CreateChannel(new GrpcChannelOptions { Retry = FastRetries.Retry with { MaxRetryAttempts = 1 } });

        await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(2, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task Non_idempotent_call_is_never_retried()
    {
        var attempts = 0;
        await using var server = await UnavailableServerAsync(() => Interlocked.Increment(ref attempts));
        using var channel = server.CreateChannel(FastRetries);

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.EchoNotIdempotent, null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task Other_status_codes_are_not_retried()
    {
        var attempts = 0;
        await using var server = await WireServer.StartAsync(context =>
        {
            Interlocked.Increment(ref attempts);
            GrpcWire.TrailersOnly(context, StatusCode.Internal, "bug");
            return Task.CompletedTask;
        });
        using var channel = server.CreateChannel(FastRetries);

        var error = await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal(1, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task Call_committed_by_response_headers_is_not_retried()
    {
        var attempts = 0;
        await using var server = await WireServer.StartAsync(async context =>
        {
            Interlocked.Increment(ref attempts);
            context.Response.Headers["x-attempt"] = "first";
            await GrpcWire.StartResponseAsync(context);
            GrpcWire.SetStatus(context, StatusCode.Unavailable, "went away mid-call");
        });
        using var channel = server.CreateChannel(FastRetries);

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, Volatile.Read(ref attempts));
        Assert.Equal("first", (await call.ResponseHeadersAsync).GetValue("x-attempt"));
    }

    [Fact]
    public async Task Backoff_never_waits_past_the_deadline()
    {
        var attempts = 0;
        await using var server = await UnavailableServerAsync(() => Interlocked.Increment(ref attempts));
        using var channel = server.CreateChannel(new GrpcChannelOptions { Retry = new GrpcRetryOptions { InitialBackoff = TimeSpan.FromSeconds(30), MaxBackoff = TimeSpan.FromSeconds(30) } });
        var stopwatch = Stopwatch.StartNew();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(1)), new EchoRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(StatusCode.DeadlineExceeded, call.GetStatus().StatusCode);
        Assert.Equal(1, Volatile.Read(ref attempts));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Cancellation_stops_retrying()
    {
        var firstAttempt = new Signal<bool>();
        var attempts = 0;
        await using var server = await UnavailableServerAsync(() =>
        {
            Interlocked.Increment(ref attempts);
            firstAttempt.Set(true);
        });
        using var channel = server.CreateChannel(new GrpcChannelOptions { Retry = new GrpcRetryOptions { InitialBackoff = TimeSpan.FromSeconds(30), MaxBackoff = TimeSpan.FromSeconds(30) } });
        using var cts = new CancellationTokenSource();

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(CancellationToken: cts.Token), new EchoRequest());
        await firstAttempt.WaitAsync();
        await cts.CancelAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(1, Volatile.Read(ref attempts));
    }

    [Fact]
    public async Task Disposing_stops_retrying()
    {
        var firstAttempt = new Signal<bool>();
        await using var server = await UnavailableServerAsync(() => firstAttempt.Set(true));
        using var channel = server.CreateChannel(new GrpcChannelOptions { Retry = new GrpcRetryOptions { InitialBackoff = TimeSpan.FromSeconds(30), MaxBackoff = TimeSpan.FromSeconds(30) } });

        var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        await firstAttempt.WaitAsync();
        call.Dispose();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }

    [Fact]
    public async Task Disposing_the_channel_stops_retrying()
    {
        var firstAttempt = new Signal<bool>();
        await using var server = await UnavailableServerAsync(() => firstAttempt.Set(true));
        var channel = server.CreateChannel(new GrpcChannelOptions { Retry = new GrpcRetryOptions { InitialBackoff = TimeSpan.FromSeconds(30), MaxBackoff = TimeSpan.FromSeconds(30) } });

        using var call = channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest());
        await firstAttempt.WaitAsync();
        channel.Dispose();
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync.OrTimeout());

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Contains("channel", error.Status.Detail);
    }

    [Fact]
    public async Task Retries_can_be_turned_off()
    {
        var attempts = 0;
        await using var server = await UnavailableServerAsync(() => Interlocked.Increment(ref attempts));
        using var channel = server.CreateChannel(new GrpcChannelOptions { Retry = new GrpcRetryOptions { MaxRetryAttempts = 0 } });

        await Assert.ThrowsAsync<RpcException>(() => channel.CreateCallInvoker().AsyncUnaryCall(EchoMethods.Echo, null, default, new EchoRequest()).ResponseAsync);

        Assert.Equal(1, Volatile.Read(ref attempts));
    }

    private static Task<WireServer> UnavailableServerAsync(Action onAttempt) =>
        WireServer.StartAsync(context =>
        {
            onAttempt();
            GrpcWire.TrailersOnly(context, StatusCode.Unavailable, "down");
            return Task.CompletedTask;
        });
}
