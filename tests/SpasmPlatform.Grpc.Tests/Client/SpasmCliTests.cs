using System.CommandLine;
using System.Diagnostics;
using SpasmPlatform.Cli;
using static Grpc.Health.V1.HealthCheckResponse.Types;

namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>spasm-cli run in-process through its real command tree, with output captured.</summary>
public sealed class SpasmCliTests
{
    [Fact]
    public async Task Health_prints_serving_and_exits_zero()
    {
        await using var server = await WireServer.StartAsync(FakeStandardServices.Health(_ => ServingStatus.Serving));

        var (exitCode, output, _) = await RunAsync("health", "--address", server.Address);

        Assert.Equal(0, exitCode);
        Assert.Equal("SERVING", output.Trim());
    }

    [Fact]
    public async Task Health_of_a_named_service_that_is_not_serving_exits_one()
    {
        var asked = new Signal<string>();
        await using var server = await WireServer.StartAsync(FakeStandardServices.Health(service =>
        {
            asked.Set(service);
            return ServingStatus.NotServing;
        }));

        var (exitCode, output, _) = await RunAsync("health", "--address", server.Address, "--service", "spasm.careplan.v1.CarePlanService");

        Assert.Equal(1, exitCode);
        Assert.Equal("NOT_SERVING", output.Trim());
        Assert.Equal("spasm.careplan.v1.CarePlanService", await asked.WaitAsync());
    }

    [Fact]
    public async Task Health_wait_polls_until_serving()
    {
        var checks = 0;
        await using var server = await WireServer.StartAsync(FakeStandardServices.Health(_ =>
            Interlocked.Increment(ref checks) < 3 ? ServingStatus.NotServing : ServingStatus.Serving));

        var (exitCode, output, _) = await RunAsync("health", "--address", server.Address, "--wait", "10");

        Assert.Equal(0, exitCode);
        Assert.Equal("SERVING", output.Trim());
        Assert.Equal(3, Volatile.Read(ref checks));
    }

    [Fact]
    public async Task Health_wait_gives_up_when_the_time_is_over()
    {
        var checks = 0;
        await using var server = await WireServer.StartAsync(FakeStandardServices.Health(_ =>
        {
            Interlocked.Increment(ref checks);
            return ServingStatus.NotServing;
        }));
        var stopwatch = Stopwatch.StartNew();

        var (exitCode, output, _) = await RunAsync("health", "--address", server.Address, "--wait", "0.7");

        Assert.Equal(1, exitCode);
        Assert.Equal("NOT_SERVING", output.Trim());
        Assert.True(Volatile.Read(ref checks) >= 2, $"checked {checks} time(s)");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(6));
    }

    [Fact]
    public async Task Health_of_an_unreachable_server_exits_one_with_the_error()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var (exitCode, output, error) = await RunAsync("health", "--address", $"http://127.0.0.1:{port}");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("Unavailable", error);
    }

    [Fact]
    public async Task Health_requires_a_valid_address()
    {
        var (missing, _, _) = await RunAsync("health");
        var (invalid, _, invalidError) = await RunAsync("health", "--address", "ftp://host");

        Assert.NotEqual(0, missing);
        Assert.NotEqual(0, invalid);
        Assert.Contains("ftp://host", invalidError);
    }

    [Fact]
    public async Task Reflect_lists_services()
    {
        await using var server = await WireServer.StartAsync(FakeStandardServices.Reflection);

        var (exitCode, output, _) = await RunAsync("reflect", "--address", server.Address);

        Assert.Equal(0, exitCode);
        Assert.Equal(["spasm.testing.v1.EchoService", "grpc.health.v1.Health"], Lines(output));
    }

    [Theory]
    [InlineData("spasm.testing.v1.EchoService")]
    [InlineData("spasm.testing.v1.EchoService.Chat")]
    [InlineData("spasm.testing.v1.EchoRequest")]
    [InlineData("spasm.testing.v1.EchoResponse.deadline_remaining_ms")]
    public async Task Reflect_symbol_prints_only_the_defining_file(string symbol)
    {
        await using var server = await WireServer.StartAsync(FakeStandardServices.Reflection);

        var (exitCode, output, _) = await RunAsync("reflect", "--address", server.Address, "--symbol", symbol);

        Assert.Equal(0, exitCode);
        Assert.Equal(["spasm/testing/v1/echo.proto"], Lines(output));
    }

    [Fact]
    public async Task Reflect_unknown_symbol_exits_one_with_the_servers_error()
    {
        await using var server = await WireServer.StartAsync(FakeStandardServices.Reflection);

        var (exitCode, output, error) = await RunAsync("reflect", "--address", server.Address, "--symbol", "no.such.Thing");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("Symbol not found.", error);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.CreateRootCommand().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exitCode, output.ToString(), error.ToString());
    }
}
