using System.Net;
using System.Net.Sockets;
using Google.Rpc;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.ServiceDefaults.RateLimiting;
using HealthClient = Grpc.Health.V1.Health.HealthClient;

namespace SpasmPlatform.Grpc.Tests.RateLimiting;

/// <summary>A real Kestrel server with the platform's caller rate limiting in its pipeline, called by our client and on the raw wire.</summary>
public sealed class RateLimitedServerTests
{
    [Fact]
    public async Task Calls_beyond_the_burst_are_RESOURCE_EXHAUSTED_with_a_retry_delay_and_succeed_after_it()
    {
        await using var server = await StartAsync(permitsPerSecond: 1, burst: 3);
        using var channel = PlatformChannels.Create(server.Address);
        var client = new EchoService.EchoServiceClient(channel);

        // At one permit a second after a burst of 3, 12 calls in a row cannot all pass unless they take 9 s.
        var outcomes = new List<RpcException?>();
        for (var i = 0; i < 12; i++)
        {
            outcomes.Add(await CallAsync(client));
        }

        Assert.True(outcomes.Take(3).All(o => o is null), "the burst of 3 was refused: " + Describe(outcomes));
        var refused = outcomes.Where(o => o is not null).Select(o => o!).ToList();
        Assert.NotEmpty(refused);
        var expectedDelay = TimeSpan.FromSeconds(1) + CallerRateLimiting.RefillLatency;
        foreach (var error in refused)
        {
            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Equal("Rate limit exceeded: too many calls from this caller; retry after 1.2 s.", error.Status.Detail);
            Assert.Equal(expectedDelay, RetryDelay(error));
        }

        await Task.Delay(RetryDelay(refused[^1]));
        Assert.Null(await CallAsync(client));
    }

    [Fact]
    public async Task A_refused_call_is_HTTP_200_trailers_only_on_the_wire()
    {
        await using var server = await StartAsync(permitsPerSecond: 1, burst: 1);
        using var http = RawGrpc.CreateClient(server.Address);

        RawResponse? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var response = await RawGrpc.SendAsync(http, RawGrpc.Request("/spasm.testing.v1.EchoService/Echo", RawGrpc.Frame(new EchoRequest { Message = "x" })));
            refused = response.Status == "8" ? response : null;
        }

        Assert.NotNull(refused);
        Assert.Equal(HttpStatusCode.OK, refused.HttpStatus);
        Assert.True(refused.IsTrailersOnly);
        Assert.Equal("application/grpc", refused.ContentType);
        Assert.Empty(refused.Messages);
        var details = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(refused.StatusOrHeader("grpc-status-details-bin")!));
        Assert.Equal(8, details.Code);
        Assert.Equal(Uri.UnescapeDataString(refused.Message!), details.Message);
        Assert.NotNull(details.GetDetail<RetryInfo>());
    }

    [Fact]
    public async Task Health_checks_are_never_limited()
    {
        await using var server = await StartAsync(permitsPerSecond: 1, burst: 1);
        using var channel = PlatformChannels.Create(server.Address);
        var health = new HealthClient(channel);

        // With one permit a second, 30 limited calls in a row would be refused almost all; health must answer each.
        for (var i = 0; i < 30; i++)
        {
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }

        // The same server does limit other calls.
        var client = new EchoService.EchoServiceClient(channel);
        var outcomes = new List<RpcException?>();
        for (var i = 0; i < 10; i++)
        {
            outcomes.Add(await CallAsync(client));
        }

        Assert.Contains(outcomes, o => o?.StatusCode == StatusCode.ResourceExhausted);
    }

    // Without a client certificate the caller is its address (the platform's development mode): a caller on another
    // address has a bucket of its own. Every 127.x.y.z address is this machine, so two loopback sources are two callers.
    [Fact]
    public async Task Each_caller_address_has_its_own_bucket()
    {
        await using var server = await StartAsync(permitsPerSecond: 1, burst: 2);
        using var first = FromSource(server.Address, IPAddress.Parse("127.0.0.1"));
        using var second = FromSource(server.Address, IPAddress.Parse("127.0.0.2"));
        var firstClient = new EchoService.EchoServiceClient(first);
        var secondClient = new EchoService.EchoServiceClient(second);

        RpcException? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            refused = await CallAsync(firstClient);
        }

        Assert.Equal(StatusCode.ResourceExhausted, refused?.StatusCode);
        // The second caller's bucket is untouched: its burst passes while the first caller waits.
        Assert.Null(await CallAsync(secondClient));
        Assert.Null(await CallAsync(secondClient));
        Assert.Equal(StatusCode.ResourceExhausted, (await CallAsync(firstClient))?.StatusCode);
    }

    private static Task<GrpcTestServer> StartAsync(int permitsPerSecond, int burst) =>
        GrpcTestServer.StartAsync(
            configureServices: services => services.AddCallerRateLimiting(permitsPerSecond, burst),
            map: app =>
            {
                app.UseCallerRateLimiting();
                app.MapGrpcService<TestEchoService>();
                app.MapGrpcHealthChecksService();
            });

    /// <summary>A channel whose connections leave from the given local address.</summary>
    private static GrpcChannel FromSource(Uri address, IPAddress source)
    {
        var handler = PlatformChannels.CreateHandler();
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    private static TimeSpan RetryDelay(RpcException error) =>
        error.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay.ToTimeSpan() ?? throw new Xunit.Sdk.XunitException($"no RetryInfo in {error.Status}");

    /// <summary>Null when the call succeeded, else its error.</summary>
    private static async Task<RpcException?> CallAsync(EchoService.EchoServiceClient client)
    {
        try
        {
            var reply = await client.EchoAsync(new EchoRequest { Message = "hi" }, deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal("hi", reply.Message);
            return null;
        }
        catch (RpcException error)
        {
            return error;
        }
    }

    private static string Describe(IEnumerable<RpcException?> outcomes) =>
        string.Join(", ", outcomes.Select(o => o is null ? "OK" : o.StatusCode.ToString()));
}
