using Microsoft.AspNetCore.Builder;
using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Interop;

/// <summary>
/// Our server (grpc-dotnet with the test Echo service, health and reflection) against another gRPC client
/// implementation: each scenario runs the peer's client script as a child process; the script checks what it
/// received, and the test checks what the server saw.
/// </summary>
public abstract class ClientInteropTests(InteropServerFixture fixture)
{
    private static readonly TimeSpan ServerSideWait = TimeSpan.FromSeconds(10);

    /// <summary>Scenarios whose checks are all on the client side; they share one server.</summary>
    public static TheoryData<string> ClientCheckedScenarios =>
    [
        "unary",
        "large_payload",
        "server_streaming",
        "client_streaming",
        "bidi",
        "bidi_idle",
        "error_details",
        "failure_trailer",
        "deadline",
        "metadata",
        "metadata_empty_bin",
        "unimplemented",
        "too_large",
        "concurrent",
        "health_check",
        "health_watch",
        "reflection_v1alpha",
        "reflection_v1",
    ];

    /// <summary>Scenarios that need a server of their own; each has its own test below.</summary>
    private static readonly string[] OwnServerScenarios = ["unknown_exception", "cancellation", "compression"];

    protected abstract Task RequirePeerAsync();

    /// <summary>Runs the peer's client with the given arguments: a scenario and an address, or "list".</summary>
    protected abstract Task<ProcessResult> RunClientAsync(params string[] arguments);

    [Fact]
    public async Task Every_scenario_of_the_peer_is_run_by_a_test()
    {
        await RequirePeerAsync();
        var result = await RunClientAsync("list");
        Assert.True(result.ExitCode == 0, result.Describe());

        var peer = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order();
        var tested = ClientCheckedScenarios.Cast<object[]>().Select(row => (string)row[0]).Concat(OwnServerScenarios).Order();
        Assert.Equal(tested, peer);
    }

    [Theory]
    [MemberData(nameof(ClientCheckedScenarios))]
    public async Task Scenario(string scenario)
    {
        await AssertScenarioPassesAsync(scenario, fixture.Server);
    }

    [Fact]
    public async Task Unknown_exception_surfaces_as_UNKNOWN_without_internals()
    {
        await using var server = await GrpcTestServer.StartAsync();

        await AssertScenarioPassesAsync("unknown_exception", server);

        // The client saw no secret (checked by the script); the server did log the exception for operators.
        Assert.Contains(server.Logs.Entries, e => e.Exception?.Message.Contains("hunter2", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Cancellation_reaches_the_server_handler()
    {
        await using var server = await GrpcTestServer.StartAsync();

        await AssertScenarioPassesAsync("cancellation", server);

        Assert.True(await server.Probe.WaitForAsync("cancelled", ServerSideWait),
            $"The handler never saw its cancellation token fire; probe events: {string.Join(", ", server.Probe.Events)}");
        Assert.Contains("waiting", server.Probe.Events);
    }

    [Fact]
    public async Task Compression_both_ways()
    {
        var recorder = new CompressionRecorder();
        await using var server = await GrpcTestServer.StartAsync(
            configureGrpc: options => options.ResponseCompressionAlgorithm = "gzip",
            map: app =>
            {
                recorder.Attach(app);
                app.MapGrpcService<TestEchoService>();
                app.MapGrpcHealthChecksService();
                app.MapGrpcReflectionService();
            });

        await AssertScenarioPassesAsync("compression", server);

        var calls = recorder.Calls.ToArray();
        foreach (var (method, encoding) in new[] { ("Echo", "gzip"), ("Collect", "gzip"), ("Chat", "deflate") })
        {
            var call = Assert.Single(calls, c => c.Path == $"/spasm.testing.v1.EchoService/{method}");
            Assert.True(call.RequestEncoding == encoding, $"{method}: the peer sent grpc-encoding '{call.RequestEncoding}', expected '{encoding}'");
            Assert.True(call.FirstRequestFlag == 1, $"{method}: the peer's first message had compressed flag {call.FirstRequestFlag}");
            Assert.True(call.ResponseEncoding == "gzip", $"{method}: our server answered with grpc-encoding '{call.ResponseEncoding}'");
        }
    }

    private async Task AssertScenarioPassesAsync(string scenario, GrpcTestServer server)
    {
        await RequirePeerAsync();
        var result = await RunClientAsync(scenario, $"{server.Address.Host}:{server.Address.Port}");
        Assert.True(result.ExitCode == 0, $"Scenario '{scenario}' failed: {result.Describe()}");
    }
}
