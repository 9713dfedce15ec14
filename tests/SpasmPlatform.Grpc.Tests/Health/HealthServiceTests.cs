using Grpc.Health.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpasmPlatform.Grpc.Health;
using SpasmPlatform.Grpc.Server;
using SpasmPlatform.Grpc.Tests.Support;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace SpasmPlatform.Grpc.Tests.Health;

public sealed class HealthServiceTests
{
    private const string Check = "/grpc.health.v1.Health/Check";
    private const string Watch = "/grpc.health.v1.Health/Watch";

    [Theory]
    [InlineData("")]
    [InlineData("spasm.testing.v1.EchoService")]
    [InlineData("grpc.health.v1.Health")]
    public async Task Check_reports_serving_for_the_server_and_each_mapped_service(string service)
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, messages) = await RawGrpc.CallAsync(http, Check, HealthCheckResponse.Parser, new HealthCheckRequest { Service = service });

        Assert.Equal("0", raw.Status);
        Assert.Equal(ServingStatus.Serving, Assert.Single(messages).Status);
    }

    [Fact]
    public async Task Check_of_an_unknown_service_is_not_found()
    {
        await using var server = await GrpcTestServer.StartAsync();
        using var http = RawGrpc.CreateClient(server.Address);

        var (raw, messages) = await RawGrpc.CallAsync(http, Check, HealthCheckResponse.Parser, new HealthCheckRequest { Service = "no.such.Service" });

        Assert.Equal("5", raw.Status);
        Assert.Empty(messages);
    }

    [Fact]
    public async Task Failing_health_check_means_not_serving()
    {
        var health = new SwitchableCheck();
        await using var server = await StartWithCheckAsync(health);
        using var http = RawGrpc.CreateClient(server.Address);
        health.Healthy = false;

        var (_, messages) = await RawGrpc.CallAsync(http, Check, HealthCheckResponse.Parser, new HealthCheckRequest());

        Assert.Equal(ServingStatus.NotServing, Assert.Single(messages).Status);
    }

    [Fact]
    public async Task Watch_sends_the_current_status_then_each_change()
    {
        var health = new SwitchableCheck();
        await using var server = await StartWithCheckAsync(health);
        using var http = RawGrpc.CreateClient(server.Address);
        using var response = await http.SendAsync(RawGrpc.Request(Watch, RawGrpc.Frame(new HealthCheckRequest())), HttpCompletionOption.ResponseHeadersRead);
        var body = System.IO.Pipelines.PipeReader.Create(await response.Content.ReadAsStreamAsync());

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
        var body = System.IO.Pipelines.PipeReader.Create(await response.Content.ReadAsStreamAsync());

        Assert.Equal(ServingStatus.ServiceUnknown, (await NextAsync(body)).Status);
        var more = Grpc.Protocol.MessageFraming.ReadMessageAsync(body, HealthCheckResponse.Parser, null, null, CancellationToken.None).AsTask();
        Assert.NotSame(more, await Task.WhenAny(more, Task.Delay(500)));
    }

    private static Task<GrpcTestServer> StartWithCheckAsync(SwitchableCheck check) => GrpcTestServer.StartAsync(
        configureServices: services => services.AddHealthChecks().AddCheck("switch", check),
        map: app =>
        {
            app.MapGrpcService<EchoService>();
            app.MapGrpcHealthChecksService();
        });

    private static async Task<HealthCheckResponse> NextAsync(System.IO.Pipelines.PipeReader body) =>
        (await Grpc.Protocol.MessageFraming.ReadMessageAsync(body, HealthCheckResponse.Parser, null, null, CancellationToken.None)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10)))!;

    private sealed class SwitchableCheck : IHealthCheck
    {
        public volatile bool Healthy = true;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(Healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("switched off"));
    }
}
