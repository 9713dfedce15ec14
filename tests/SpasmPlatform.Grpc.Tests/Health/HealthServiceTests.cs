using System.IO.Pipelines;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpasmPlatform.Grpc.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace SpasmPlatform.Grpc.Tests.Health;

/// <summary>grpc.health.v1 as Grpc.AspNetCore.HealthChecks serves it with the platform's settings, on the wire.</summary>
public sealed class HealthServiceTests
{
    private const string Check = "/grpc.health.v1.Health/Check";
    private const string Watch = "/grpc.health.v1.Health/Watch";

    [Theory]
    [InlineData("")]
    [InlineData("spasm.testing.v1.EchoService")]
    public async Task Check_reports_serving_for_the_server_and_each_registered_service(string service)
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, messages) = await RawGrpc.CallAsync(http, Check, HealthCheckResponse.Parser, new HealthCheckRequest { Service = service });

        Assert.Equal("0", raw.Status);
        Assert.Equal(ServingStatus.Serving, Assert.Single(messages).Status);
    }

    // Only names registered with the health options are known: hosting a gRPC service (health itself included) does
    // not register it, which is why the platform maps each service's name explicitly.
    [Theory]
    [InlineData("no.such.Service")]
    [InlineData("grpc.health.v1.Health")]
    public async Task Check_of_an_unregistered_service_is_not_found(string service)
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, messages) = await RawGrpc.CallAsync(http, Check, HealthCheckResponse.Parser, new HealthCheckRequest { Service = service });

        Assert.Equal("5", raw.Status);
        Assert.Empty(messages);
    }

    [Fact]
    public async Task Failing_health_check_means_not_serving_at_once()
    {
        var health = new SwitchableCheck();
        await using var server = await StartWithCheckAsync(health);
        using var http = RawGrpc.CreateClient(server.Address);
        health.Healthy = false;

        var (_, forServer) = await RawGrpc.CallAsync(http, Check, HealthCheckResponse.Parser, new HealthCheckRequest());
        var (_, forEcho) = await RawGrpc.CallAsync(http, Check, HealthCheckResponse.Parser, new HealthCheckRequest { Service = "spasm.testing.v1.EchoService" });

        Assert.Equal(ServingStatus.NotServing, Assert.Single(forServer).Status);
        Assert.Equal(ServingStatus.NotServing, Assert.Single(forEcho).Status);
    }

    [Fact]
    public async Task Watch_sends_the_current_status_then_each_change()
    {
        var health = new SwitchableCheck();
        await using var server = await StartWithCheckAsync(health);
        using var http = RawGrpc.CreateClient(server.Address);
        using var response = await http.SendAsync(RawGrpc.Request(Watch, RawGrpc.Frame(new HealthCheckRequest())), HttpCompletionOption.ResponseHeadersRead);
        var body = PipeReader.Create(await response.Content.ReadAsStreamAsync());

        Assert.Equal(ServingStatus.Serving, (await NextAsync(body)).Status);
        health.Healthy = false;
        Assert.Equal(ServingStatus.NotServing, (await NextAsync(body)).Status);
        health.Healthy = true;
        Assert.Equal(ServingStatus.Serving, (await NextAsync(body)).Status);
    }

    [Fact]
    public async Task Watch_of_an_unknown_service_reports_service_unknown_and_keeps_the_stream_open()
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);
        using var response = await http.SendAsync(RawGrpc.Request(Watch, RawGrpc.Frame(new HealthCheckRequest { Service = "later.Service" })), HttpCompletionOption.ResponseHeadersRead);
        var body = PipeReader.Create(await response.Content.ReadAsStreamAsync());

        Assert.Equal(ServingStatus.ServiceUnknown, (await NextAsync(body)).Status);
        // Several publisher periods pass without an answer or the end of the stream.
        var more = body.ReadAsync().AsTask();
        Assert.NotSame(more, await Task.WhenAny(more, Task.Delay(GrpcTestServer.HealthPublishPeriod * 4)));
    }

    // The platform's drain relies on this: once the host starts stopping, grpc-dotnet ends every Watch with NOT_SERVING
    // (and the platform's draining check fails every Check), so load balancers stop sending calls while in-flight ones
    // finish.
    [Fact]
    public async Task Stopping_the_host_ends_watch_with_not_serving()
    {
        var server = await GrpcTestServer.StartAsync();
        await using (server)
        {
            using var http = RawGrpc.CreateClient(server.Address);
            using var response = await http.SendAsync(RawGrpc.Request(Watch, RawGrpc.Frame(new HealthCheckRequest())), HttpCompletionOption.ResponseHeadersRead);
            var body = PipeReader.Create(await response.Content.ReadAsStreamAsync());
            Assert.Equal(ServingStatus.Serving, (await NextAsync(body)).Status);

            var stopping = server.StopAsync();

            Assert.Equal(ServingStatus.NotServing, (await NextAsync(body)).Status);
            Assert.Null(await RawGrpc.ReadMessageAsync(body, HealthCheckResponse.Parser));
            Assert.Equal("0", RawResponse.Header(response.TrailingHeaders, "grpc-status"));
            await stopping.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private static Task<GrpcTestServer> StartWithCheckAsync(SwitchableCheck check) => GrpcTestServer.StartAsync(
        configureServices: services => services.AddHealthChecks().AddCheck("switch", check),
        map: app =>
        {
            app.MapGrpcService<TestEchoService>();
            app.MapGrpcHealthChecksService();
        });

    private static async Task<HealthCheckResponse> NextAsync(PipeReader body) =>
        await RawGrpc.ReadMessageAsync(body, HealthCheckResponse.Parser) ?? throw new Xunit.Sdk.XunitException("the Watch stream ended");

    private sealed class SwitchableCheck : IHealthCheck
    {
        public volatile bool Healthy = true;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(Healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("switched off"));
    }
}
