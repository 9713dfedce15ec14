using System.Diagnostics;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Grpc.Tests.Server;
using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>
/// How the platform's callers set up channels (SpasmPlatform.Contracts.Calling.PlatformChannels), against the echo
/// server: UNAVAILABLE retried only for methods the proto marks idempotent, a deadline on every call that names none,
/// several HTTP/2 connections when one is full.
/// </summary>
public sealed class PlatformChannelsTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly ServiceDescriptor Echo = EchoReflection.Descriptor.Services[0];

    [Fact]
    public void The_echo_proto_marks_Echo_idempotent_and_nothing_else()
    {
        Assert.Equal(["Echo"], Echo.Methods.Where(PlatformChannels.IsIdempotent).Select(m => m.Name));
    }

    [Fact]
    public async Task Idempotent_method_is_retried_on_UNAVAILABLE_until_it_succeeds()
    {
        using var channel = Channel(PlatformChannels.RetryPolicy([Echo]));
        var marker = Marker();

        var reply = await new EchoService.EchoServiceClient(channel).EchoAsync(new EchoRequest { Message = marker }, FailingAttempts(2));

        Assert.Equal(marker, reply.Message);
        Assert.Equal(3, Attempts(marker));
    }

    [Fact]
    public async Task Retries_stop_after_four_attempts_with_the_last_status()
    {
        using var channel = Channel(PlatformChannels.RetryPolicy([Echo]));
        var marker = Marker();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new EchoService.EchoServiceClient(channel).EchoAsync(new EchoRequest { Message = marker }, FailingAttempts(10)));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal("attempt 3 refused", error.Status.Detail);
        Assert.Equal(4, Attempts(marker));
    }

    [Fact]
    public async Task Method_without_the_idempotency_option_is_never_retried()
    {
        using var channel = Channel(PlatformChannels.RetryPolicy([Echo]));
        var marker = Marker();

        using var call = new EchoService.EchoServiceClient(channel).Expand(new EchoRequest { Message = marker }, FailingAttempts(1));
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, Attempts(marker));
    }

    // The same method, described without IDEMPOTENT: proves the policy is read from the proto option, not from a list.
    [Fact]
    public async Task Idempotency_comes_from_the_proto_option()
    {
        var proto = FileDescriptorProto.Parser.ParseFrom(EchoReflection.Descriptor.SerializedData);
        proto.Service[0].Method.Single(m => m.Name == "Echo").Options.ClearIdempotencyLevel();
        var withoutOption = FileDescriptor.BuildFromByteStrings([proto.ToByteString()])[0].Services[0];
        using var channel = Channel(PlatformChannels.RetryPolicy([withoutOption]));
        var marker = Marker();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new EchoService.EchoServiceClient(channel).EchoAsync(new EchoRequest { Message = marker }, FailingAttempts(1)));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, Attempts(marker));
    }

    [Fact]
    public async Task Other_status_codes_are_not_retried()
    {
        using var channel = Channel(PlatformChannels.RetryPolicy([Echo]));
        var marker = Marker();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new EchoService.EchoServiceClient(channel).EchoAsync(new EchoRequest { Message = marker, FailWithCode = (int)StatusCode.Internal }, deadline: DateTime.UtcNow.AddSeconds(10)));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.Equal(1, Attempts(marker));
    }

    [Fact]
    public async Task The_platform_channel_does_not_retry_methods_outside_the_platform_services()
    {
        using var channel = PlatformChannels.Create(fixture.Server.Address);
        var marker = Marker();

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await new EchoService.EchoServiceClient(channel).EchoAsync(new EchoRequest { Message = marker }, FailingAttempts(1)));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(1, Attempts(marker));
    }

    [Fact]
    public async Task Calls_without_a_deadline_get_the_default_one_and_others_keep_theirs()
    {
        using var channel = PlatformChannels.Create(fixture.Server.Address);
        var client = new EchoService.EchoServiceClient(channel.WithDefaultDeadline());

        var unary = await client.EchoAsync(new EchoRequest { Message = "default" });
        using var stream = client.Expand(new EchoRequest { Message = "default stream" });
        Assert.True(await stream.ResponseStream.MoveNext());
        var own = await client.EchoAsync(new EchoRequest { Message = "own" }, deadline: DateTime.UtcNow.AddSeconds(5));

        Assert.InRange(unary.DeadlineRemainingMs, PlatformChannels.DefaultDeadline.TotalMilliseconds - 5000, PlatformChannels.DefaultDeadline.TotalMilliseconds);
        Assert.InRange(stream.ResponseStream.Current.DeadlineRemainingMs, PlatformChannels.DefaultStreamDeadline.TotalMilliseconds - 5000, PlatformChannels.DefaultStreamDeadline.TotalMilliseconds);
        Assert.InRange(own.DeadlineRemainingMs, 0, 5000);
    }

    [Fact]
    public async Task The_default_deadline_ends_a_call_that_overruns_it()
    {
        using var channel = PlatformChannels.Create(fixture.Server.Address);
        var client = new EchoService.EchoServiceClient(channel.WithDefaultDeadline(TimeSpan.FromMilliseconds(300)));
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.EchoAsync(new EchoRequest { Message = "slow", DelayMs = 5000 }));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"DEADLINE_EXCEEDED took {watch.Elapsed} for a 300 ms deadline");
    }

    [Fact]
    public async Task Calls_beyond_a_connections_stream_limit_open_more_connections()
    {
        await using var server = await GrpcTestServer.StartAsync(configureKestrel: kestrel => kestrel.Limits.Http2.MaxStreamsPerConnection = 2);
        using var channel = PlatformChannels.Create(server.Address);
        var client = new EchoService.EchoServiceClient(channel);
        // One call first, so the client has the server's SETTINGS: streams sent on a new connection before they arrive
        // are counted against HTTP/2's default limit and the excess is refused (REFUSED_STREAM, seen once in CI).
        await client.EchoAsync(new EchoRequest { Message = "settings" }, deadline: DateTime.UtcNow.AddSeconds(10));

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            client.EchoAsync(new EchoRequest { Message = $"c{i}", DelayMs = 300 }, deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync));

        Assert.True(server.Probe.ConnectionIds.Distinct().Count() > 1, "8 concurrent calls with 2 streams a connection used one connection");
    }

    private GrpcChannel Channel(ServiceConfig retries) =>
        GrpcChannel.ForAddress(fixture.Server.Address, new GrpcChannelOptions
        {
            HttpHandler = PlatformChannels.CreateHandler(),
            DisposeHttpClient = true,
            ServiceConfig = retries,
        });

    private static CallOptions FailingAttempts(int attempts) =>
        new(new Metadata { { TestEchoService.UnavailableAttemptsHeader, attempts.ToString(System.Globalization.CultureInfo.InvariantCulture) } }, DateTime.UtcNow.AddSeconds(20));

    private static string Marker() => Guid.NewGuid().ToString("N");

    private int Attempts(string marker) => fixture.Server.Probe.Events.Count(e => e == $"received:{marker}");
}
