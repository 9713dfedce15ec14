using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Health;
using SpasmPlatform.Grpc.Reflection;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.Grpc.Tests.Support;

/// <summary>A real Kestrel server on a loopback port (h2c) hosting the Echo, health and reflection services.</summary>
public sealed class GrpcTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcTestServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public EchoProbe Probe => _app.Services.GetRequiredService<EchoProbe>();

    public TestLoggerProvider Logs => _app.Services.GetRequiredService<TestLoggerProvider>();

    public IServiceProvider Services => _app.Services;

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
        builder.Services.AddGrpc(configureGrpc);
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks(health => health.WatchPeriod = TimeSpan.FromMilliseconds(200));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        if (map is not null)
        {
            map(app);
        }
        else
        {
            app.MapGrpcService<EchoService>();
            app.MapGrpcHealthChecksService();
            app.MapGrpcReflectionService();
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GrpcTestServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
