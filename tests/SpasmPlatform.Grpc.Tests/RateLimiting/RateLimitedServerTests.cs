using Grpc.Health.V1;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Health;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.RateLimiting;
using SpasmPlatform.Grpc.Server;
using SpasmPlatform.Grpc.Tests.Client;
using SpasmPlatform.Grpc.Tests.Support;
using SpasmPlatform.Testing.V1;

namespace SpasmPlatform.Grpc.Tests.RateLimiting;

/// <summary>A real Kestrel server with the limiter in its pipeline, called by our client and on the raw wire.</summary>
public sealed class RateLimitedServerTests
{
    [Fact]
    public async Task Calls_beyond_the_burst_are_RESOURCE_EXHAUSTED_with_a_retry_delay_and_succeed_after_it()
    {
        await using var server = await StartAsync(permitsPerSecond: 1, burst: 3);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var invoker = channel.CreateCallInvoker();

        // At one permit a second after a burst of 3, 12 calls in a row cannot all pass unless they take 9 s.
        var outcomes = new List<RpcException?>();
        for (var i = 0; i < 12; i++)
        {
            outcomes.Add(await CallAsync(invoker));
        }

        Assert.True(outcomes.Take(3).All(o => o is null), "the burst of 3 was refused: " + Describe(outcomes));
        var refused = outcomes.Where(o => o is not null).Select(o => o!).ToList();
        Assert.NotEmpty(refused);
        foreach (var error in refused)
        {
            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.Contains("retry after", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(1) + RateLimitRejection.RefillLatency, error.GetRetryDelay());
        }

        await Task.Delay(refused[^1].GetRetryDelay()!.Value);
        Assert.Null(await CallAsync(invoker));
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
        Assert.Equal(System.Net.HttpStatusCode.OK, refused.HttpStatus);
        Assert.True(refused.IsTrailersOnly);
        Assert.Equal("application/grpc", refused.ContentType);
        Assert.Empty(refused.Messages);
        var details = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(refused.StatusOrHeader("grpc-status-details-bin")!));
        Assert.Equal(8, details.Code);
        Assert.NotNull(details.GetDetail<Google.Rpc.RetryInfo>());
    }

    [Fact]
    public async Task Health_checks_are_never_limited()
    {
        await using var server = await StartAsync(permitsPerSecond: 1, burst: 1);
        using var channel = GrpcChannel.ForAddress(server.Address);
        var health = new HealthClient(channel);

        // With one permit a second, 30 limited calls in a row would be refused almost all; health must answer each.
        for (var i = 0; i < 30; i++)
        {
            var reply = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
        }

        // The same server does limit other calls.
        var invoker = channel.CreateCallInvoker();
        var outcomes = new List<RpcException?>();
        for (var i = 0; i < 10; i++)
        {
            outcomes.Add(await CallAsync(invoker));
        }

        Assert.Contains(outcomes, o => o?.StatusCode == StatusCode.ResourceExhausted);
    }

    [Fact]
    public async Task Each_caller_has_its_own_bucket_as_the_partition_key_decides()
    {
        await using var server = await StartAsync(permitsPerSecond: 1, burst: 2, services => services.AddSingleton<ICallerPartitionKey, HeaderPartitionKey>());
        using var channel = GrpcChannel.ForAddress(server.Address);
        var invoker = channel.CreateCallInvoker();

        RpcException? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            refused = await CallAsync(invoker, "clinic-a");
        }

        Assert.Equal(StatusCode.ResourceExhausted, refused?.StatusCode);
        // clinic-b's bucket is untouched: its burst passes while clinic-a waits.
        Assert.Null(await CallAsync(invoker, "clinic-b"));
        Assert.Null(await CallAsync(invoker, "clinic-b"));
    }

    private static Task<GrpcTestServer> StartAsync(int permitsPerSecond, int burst, Action<IServiceCollection>? configure = null) =>
        GrpcTestServer.StartAsync(
            configureServices: services =>
            {
                configure?.Invoke(services);
                services.AddGrpcRateLimiting(limits =>
                {
                    limits.PermitsPerSecond = permitsPerSecond;
                    limits.Burst = burst;
                });
            },
            map: app =>
            {
                app.UseGrpcRateLimiting();
                app.MapGrpcService<EchoService>();
                app.MapGrpcHealthChecksService();
            });

    /// <summary>Null when the call succeeded, else its error.</summary>
    private static async Task<RpcException?> CallAsync(CallInvoker invoker, string? caller = null)
    {
        var headers = caller is null ? null : new Metadata().Add(HeaderPartitionKey.Header, caller);
        try
        {
            var reply = await invoker.AsyncUnaryCall(EchoMethods.Echo, null, new CallOptions(headers, DateTime.UtcNow.AddSeconds(10)), new EchoRequest { Message = "hi" });
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

    /// <summary>Stands in for an authenticated identity: the caller named in a request header.</summary>
    private sealed class HeaderPartitionKey : ICallerPartitionKey
    {
        public const string Header = "x-test-caller";

        public string For(HttpContext context) => context.Request.Headers[Header].ToString();
    }
}
