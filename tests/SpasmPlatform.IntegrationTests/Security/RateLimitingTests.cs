using Grpc.Health.V1;
using Npgsql;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>The shared host's per-caller rate limit, on a real knowledge service process (every call here comes from 127.0.0.1).</summary>
public sealed class RateLimitingTests
{
    [Fact]
    public async Task A_burst_beyond_the_limit_is_RESOURCE_EXHAUSTED_with_RetryInfo_health_stays_served_and_calls_pass_after_the_delay()
    {
        await using var knowledge = await StartKnowledgeAsync(new Dictionary<string, string>
        {
            ["RateLimiting__PermitsPerSecond"] = "2",
            ["RateLimiting__Burst"] = "4",
        });
        var client = new KnowledgeService.KnowledgeServiceClient(knowledge.Channel);

        // 16 calls at once against a bucket of 4 refilled by 2 a second: most must be refused.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => ListVersionsAsync(client)));

        var refused = outcomes.OfType<RpcException>().ToList();
        Assert.True(refused.Count > 0, "no call was refused; the limit is not applied. " + knowledge.Process.Output);
        Assert.Contains(outcomes, o => o is null);
        Assert.All(refused, error =>
        {
            Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
            Assert.StartsWith("Rate limit exceeded", error.Status.Detail, StringComparison.Ordinal);
            Assert.True(error.GetRetryDelay() > TimeSpan.Zero, $"no RetryInfo in {error.Status}");
        });

        var health = new Health.HealthClient(knowledge.Channel);
        for (var i = 0; i < 20; i++)
        {
            var status = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, status.Status);
        }

        await Task.Delay(refused.Max(e => e.GetRetryDelay()!.Value));
        Assert.Null(await ListVersionsAsync(client));
    }

    [Fact]
    public async Task With_rate_limiting_disabled_a_burst_is_served_whole()
    {
        await using var knowledge = await StartKnowledgeAsync(new Dictionary<string, string>
        {
            ["RateLimiting__Enabled"] = "false",
            ["RateLimiting__PermitsPerSecond"] = "1",
            ["RateLimiting__Burst"] = "1",
        });
        var client = new KnowledgeService.KnowledgeServiceClient(knowledge.Channel);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => ListVersionsAsync(client)));

        Assert.All(outcomes, Assert.Null);
    }

    private static async Task<RpcException?> ListVersionsAsync(KnowledgeService.KnowledgeServiceClient client)
    {
        try
        {
            var reply = await client.ListVersionsAsync(new ListVersionsRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20)));
            Assert.NotEmpty(reply.Versions);
            return null;
        }
        catch (RpcException error)
        {
            return error;
        }
    }

    private static async Task<RunningKnowledge> StartKnowledgeAsync(Dictionary<string, string> environment)
    {
        var schema = $"knowledge_rl_{Guid.NewGuid():N}"[..28];
        environment["EventStore__Schema"] = schema;
        var process = ServiceProcess.Start("Knowledge", environment);
        var running = new RunningKnowledge(process, GrpcChannel.ForAddress(process.Address), schema);
        try
        {
            await process.WaitForServingAsync();
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }

        return running;
    }

    private sealed record RunningKnowledge(ServiceProcess Process, GrpcChannel Channel, string Schema) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Channel.Dispose();
            await Process.DisposeAsync();
            await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
            await drop.ExecuteNonQueryAsync();
        }
    }
}
