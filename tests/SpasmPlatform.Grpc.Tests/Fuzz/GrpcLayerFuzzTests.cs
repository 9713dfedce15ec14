using SpasmPlatform.Fuzzing;
using SpasmPlatform.Grpc.Health;
using SpasmPlatform.Grpc.Reflection;
using SpasmPlatform.Grpc.Server;
using SpasmPlatform.Grpc.Tests.Support;
using Xunit.Abstractions;

namespace SpasmPlatform.Grpc.Tests.Fuzz;

/// <summary>
/// Hostile input against our gRPC layer alone (in-process Kestrel): every RPC the server lists through reflection,
/// seeds from tests/fuzz/corpus, stored regressions, then SPASM_FUZZ_ITERATIONS random mutations (see tests/fuzz/README).
/// </summary>
public sealed class GrpcLayerFuzzTests(ITestOutputHelper output)
{
    public const int DefaultIterations = 800;

    [Fact]
    public async Task Every_rpc_answers_hostile_requests_with_a_proper_status_and_the_server_stays_up()
    {
        await using var server = await GrpcTestServer.StartAsync(map: app =>
        {
            app.MapGrpcService<FuzzEchoService>();
            app.MapGrpcHealthChecksService();
            app.MapGrpcReflectionService();
        });
        using var client = new FuzzClient(server.Address);
        var catalog = new DescriptorCatalog(typeof(SpasmPlatform.Testing.V1.EchoRequest).Assembly, typeof(global::Grpc.Health.V1.HealthCheckRequest).Assembly);
        var targets = await ServiceDiscovery.TargetsAsync(client, catalog);
        Assert.Contains(targets, t => t.Path == "/spasm.testing.v1.EchoService/Chat");
        Assert.Contains(targets, t => t.Path == "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");

        var settings = FuzzSettings.FromEnvironment(DefaultIterations);
        var endpoint = new FuzzEndpoint("grpc-layer", client, targets, new Corpus(settings.CorpusDirectory));
        var report = await new FuzzRun(settings, output.WriteLine) { TinyDeadlinesOnWrites = true }.RunAsync([endpoint]);

        foreach (var (_, message, exception) in server.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error).Take(10))
        {
            output.WriteLine($"server error log: {message} {exception}");
        }

        Assert.True(report.Findings.Count == 0, report.ToString());
        Assert.Equal(targets.Select(t => t.Path).Order(), report.TargetsHit.Order());
    }
}
