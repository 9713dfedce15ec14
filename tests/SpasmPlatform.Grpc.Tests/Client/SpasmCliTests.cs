using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpasmPlatform.Grpc.Tests.Interop;
using SpasmPlatform.Grpc.Tests.Support;

namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>
/// spasm-cli run as a process from its own build output, as an operator runs it, against the grpc-dotnet test server's
/// health and reflection services.
/// </summary>
public sealed class SpasmCliTests
{
    private static readonly TimeSpan CliTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Health_prints_serving_and_exits_zero()
    {
        await using var server = await GrpcTestServer.StartAsync();

        var result = await RunAsync("health", "--address", Address(server));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("SERVING", result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Health_of_a_named_service_that_is_not_serving_exits_one()
    {
        // Only the echo service's own check fails, so the answer shows which service the CLI asked about.
        await using var server = await StartWithChecksAsync(echo: new SwitchableCheck { Healthy = false });

        var whole = await RunAsync("health", "--address", Address(server));
        var echo = await RunAsync("health", "--address", Address(server), "--service", TestEchoService.ServiceName);

        Assert.Equal((0, "SERVING"), (whole.ExitCode, whole.StandardOutput.Trim()));
        Assert.True(echo.ExitCode == 1, echo.Describe());
        Assert.Equal("NOT_SERVING", echo.StandardOutput.Trim());
    }

    [Fact]
    public async Task Health_of_an_unknown_service_exits_one_with_the_servers_error()
    {
        await using var server = await GrpcTestServer.StartAsync();

        var result = await RunAsync("health", "--address", Address(server), "--service", "no.such.Service");

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Empty(result.StandardOutput);
        Assert.Contains("NotFound", result.StandardError);
    }

    [Fact]
    public async Task Health_wait_polls_until_serving()
    {
        var check = new SwitchableCheck { Healthy = false, HealthyAfterChecks = 3 };
        await using var server = await StartWithChecksAsync(echo: check);

        var result = await RunAsync("health", "--address", Address(server), "--service", TestEchoService.ServiceName, "--wait", "10");

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal("SERVING", result.StandardOutput.Trim());
        Assert.Equal(3, check.Checks);
    }

    [Fact]
    public async Task Health_wait_gives_up_when_the_time_is_over()
    {
        var check = new SwitchableCheck { Healthy = false };
        await using var server = await StartWithChecksAsync(echo: check);

        // 5 s, not less: a fresh CLI process's first probe (start-up, JIT, connection) can take seconds on a busy
        // machine, and the test needs room for more than one probe.
        var result = await RunAsync("health", "--address", Address(server), "--service", TestEchoService.ServiceName, "--wait", "5");

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Equal("NOT_SERVING", result.StandardOutput.Trim());
        Assert.True(check.Checks >= 2, $"checked {check.Checks} time(s)");
        Assert.InRange(result.Elapsed, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(25));
    }

    [Fact]
    public async Task Health_of_an_unreachable_server_exits_one_with_the_error()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var result = await RunAsync("health", "--address", $"http://127.0.0.1:{port}");

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Empty(result.StandardOutput);
        Assert.Contains("Unavailable", result.StandardError);
    }

    [Fact]
    public async Task Health_requires_a_valid_address()
    {
        var missing = await RunAsync("health");
        var invalid = await RunAsync("health", "--address", "ftp://host");

        Assert.NotEqual(0, missing.ExitCode);
        Assert.NotEqual(0, invalid.ExitCode);
        Assert.Contains("ftp://host", invalid.StandardError);
    }

    [Fact]
    public async Task Reflect_lists_services()
    {
        await using var server = await GrpcTestServer.StartAsync();

        var result = await RunAsync("reflect", "--address", Address(server));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(
            ["grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection", "spasm.testing.v1.EchoService"],
            Lines(result.StandardOutput).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("spasm.testing.v1.EchoService")]
    [InlineData("spasm.testing.v1.EchoService.Chat")]
    [InlineData("spasm.testing.v1.EchoRequest")]
    public async Task Reflect_symbol_prints_only_the_defining_file(string symbol)
    {
        await using var server = await GrpcTestServer.StartAsync();

        var result = await RunAsync("reflect", "--address", Address(server), "--symbol", symbol);

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.Equal(["spasm/testing/v1/echo.proto"], Lines(result.StandardOutput));
    }

    [Fact]
    public async Task Reflect_unknown_symbol_exits_one_with_the_servers_error()
    {
        await using var server = await GrpcTestServer.StartAsync();

        var result = await RunAsync("reflect", "--address", Address(server), "--symbol", "no.such.Thing");

        Assert.True(result.ExitCode == 1, result.Describe());
        Assert.Empty(result.StandardOutput);
        Assert.Contains("NotFound", result.StandardError);
    }

    /// <summary>
    /// A server whose "" health follows only the untagged checks and whose echo service follows the "echo" check, and
    /// whose health publisher never runs in the test's time: every check run is a CLI's Check call.
    /// </summary>
    private static Task<GrpcTestServer> StartWithChecksAsync(SwitchableCheck echo) => GrpcTestServer.StartAsync(
        configureServices: services =>
        {
            services.AddHealthChecks().AddCheck("echo", echo, tags: ["echo"]);
            services.Configure<GrpcHealthChecksOptions>(health =>
            {
                health.Services.Map(string.Empty, r => !r.Tags.Contains("echo"));
                health.Services.Map(TestEchoService.ServiceName, r => r.Tags.Contains("echo"));
            });
            services.Configure<HealthCheckPublisherOptions>(publisher => publisher.Delay = TimeSpan.FromHours(1));
        },
        map: app =>
        {
            app.MapGrpcService<TestEchoService>();
            app.MapGrpcHealthChecksService();
        });

    private static string Address(GrpcTestServer server) => server.Address.ToString().TrimEnd('/');

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Task<ProcessResult> RunAsync(params string[] arguments)
    {
        var cli = typeof(SpasmCliTests).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "SpasmCli").Value!;
        Assert.True(File.Exists(cli), $"{cli} is missing: build services/Tools/SpasmPlatform.Cli in the same configuration first.");
        // The dotnet CLI names its own host to the processes it starts; a plain "dotnet" on PATH otherwise.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
        return ChildProcess.RunAsync(host, [cli, .. arguments], AppContext.BaseDirectory, CliTimeout);
    }

    private sealed class SwitchableCheck : IHealthCheck
    {
        private int _checks;

        public volatile bool Healthy = true;

        /// <summary>When set, the check turns healthy on this run and stays so.</summary>
        public int? HealthyAfterChecks { get; init; }

        public int Checks => Volatile.Read(ref _checks);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var run = Interlocked.Increment(ref _checks);
            var healthy = Healthy || run >= HealthyAfterChecks;
            return Task.FromResult(healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("switched off"));
        }
    }
}
