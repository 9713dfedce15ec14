using System.Net;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using SpasmPlatform.ServiceDefaults;

namespace SpasmPlatform.Grpc.Tests.Support;

/// <summary>
/// A real Kestrel server on a loopback port (h2c, HTTP/2 only, as the platform's development mode) with grpc-dotnet
/// hosting the test Echo service, grpc.health.v1 and server reflection.
/// </summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    /// <summary>How often health Watch streams see a change: the publisher's period, the shortest it allows.</summary>
    public static readonly TimeSpan HealthPublishPeriod = TimeSpan.FromSeconds(1);

    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public EchoProbe Probe => _app.Services.GetRequiredService<EchoProbe>();

    public TestLoggerProvider Logs => _app.Services.GetRequiredService<TestLoggerProvider>();

    public static async Task<GrpcTestServer> StartAsync(
        Action<GrpcServiceOptions>? configureGrpc = null,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? map = null,
        HttpProtocols protocols = HttpProtocols.Http2,
        Action<KestrelServerOptions>? configureKestrel = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = protocols);
            configureKestrel?.Invoke(kestrel);
        });
        var logs = new TestLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(logs);
        builder.Services.AddSingleton<EchoProbe>();
        builder.Services.AddGrpc(options => configureGrpc?.Invoke(options));
        builder.Services.AddGrpcReflection();
        // As the platform does (ServiceDefaults): "" and each hosted service name follow the checks, among them the
        // platform's draining check; Check runs them when asked, Watch follows the publisher.
        builder.Services.AddSingleton<DrainingHealthCheck>();
        builder.Services.AddGrpcHealthChecks(health =>
        {
            health.Services.Map(TestEchoService.ServiceName, _ => true);
            health.UseHealthChecksCache = false;
        }).AddCheck<DrainingHealthCheck>("draining");
        builder.Services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = HealthPublishPeriod;
        });
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        if (map is not null)
        {
            map(app);
        }
        else
        {
            app.MapGrpcService<TestEchoService>();
            app.MapGrpcHealthChecksService();
            app.MapGrpcReflectionService();
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GrpcTestServer(app, new Uri(address));
    }

    /// <summary>Stops the host as SIGTERM does: new calls are refused, in-flight ones may finish.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
