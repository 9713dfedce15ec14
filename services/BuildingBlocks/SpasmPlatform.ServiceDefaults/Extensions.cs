using System.Net;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SpasmPlatform.Grpc.Health;
using SpasmPlatform.Grpc.Interceptors;
using SpasmPlatform.Grpc.Reflection;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.Grpc.Server;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.ServiceDefaults.Messaging;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>The wiring every SpasmPlatform host shares; a service's Program.cs adds only its own parts.</summary>
public static class Extensions
{
    public const int DefaultShutdownTimeoutSeconds = 25;

    /// <param name="eventStoreSchema">The PostgreSQL schema this service's events live in; each service owns its own. Configuration key EventStore:Schema overrides it.</param>
    /// <param name="configureOutbox">Registers the integration message types this service publishes through its outbox.</param>
    /// <param name="configureEventStore">Registers the service's event types and inline projections.</param>
    public static WebApplicationBuilder AddServiceDefaults(
        this WebApplicationBuilder builder,
        ServiceInfo service,
        string eventStoreSchema,
        Action<IBusRegistrationConfigurator>? configureBus = null,
        Action<OutboxRelayOptions>? configureOutbox = null,
        Action<EventStoreOptions>? configureEventStore = null)
    {
        var configuration = builder.Configuration;
        ConfigurationValidation.ThrowIfInvalid(configuration, service);
        builder.Services.AddSingleton(service);
        // Logging:Console:FormatterName=json gives one JSON object per line; its scopes carry the call's TraceId and
        // SpanId (the host's ActivityTrackingOptions), which is how a log line is found from a trace and back.
        builder.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.IncludeScopes = true;
            json.UseUtcTimestamp = true;
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        // The drain after SIGTERM: Kestrel finishes in-flight calls, MassTransit its in-flight messages, the outbox relay
        // records its last batch. Below Kubernetes' default 30 s grace period, so the host, not SIGKILL, ends it.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(configuration.GetValue("shutdownTimeoutSeconds", DefaultShutdownTimeoutSeconds)));
        builder.WebHost.ConfigureKestrel(kestrel => ConfigureEndpoint(kestrel, configuration, service));

        builder.Services.AddGrpc(grpc =>
        {
            // Outermost, so that the span and the call metrics cover everything the other interceptors do.
            grpc.Interceptors.Add(typeof(ServerTelemetryInterceptor));
            grpc.Interceptors.Add(typeof(ServerLoggingInterceptor));
            grpc.Interceptors.Add(typeof(StorableTextInterceptor));
            grpc.Interceptors.Add(typeof(ValidationInterceptor));
            grpc.Interceptors.Add(typeof(StoreErrorInterceptor));
        });
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);

        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(RequiredConnectionString(configuration, "Postgres"))
        {
            Name = service.Name,
        }.Build());

        builder.Services.AddEventStore(store =>
        {
            // EventStore:Schema lets two deployments (or test runs) share one database without sharing events.
            store.Schema = configuration["EventStore:Schema"] ?? eventStoreSchema;
            configureEventStore?.Invoke(store);
        });
        AddMessaging(builder.Services, configuration, configureBus);
        builder.Services.AddOutboxRelay(outbox => configureOutbox?.Invoke(outbox));
        AddTelemetry(builder.Services, configuration, service);
        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>One HTTP/2-only endpoint: cleartext h2c needs Http2 alone, since Http1AndHttp2 silently falls back to HTTP/1.1.</summary>
    private static void ConfigureEndpoint(KestrelServerOptions kestrel, IConfiguration configuration, ServiceInfo service)
    {
        var bind = configuration["Grpc:BindAddress"] ?? "127.0.0.1";
        var port = configuration.GetValue("Grpc:Port", service.DefaultPort);
        var address = bind is "*" or "0.0.0.0" ? IPAddress.Any : IPAddress.Parse(bind);
        kestrel.Listen(address, port, listen => listen.Protocols = HttpProtocols.Http2);
        kestrel.AddServerHeader = false;
    }

    private static void AddMessaging(IServiceCollection services, IConfiguration configuration, Action<IBusRegistrationConfigurator>? configureBus)
    {
        var rabbit = new Uri(RequiredConnectionString(configuration, "RabbitMq"));
        var prefix = configuration["Messaging:EntityPrefix"];
        services.AddMassTransit(bus =>
        {
            configureBus?.Invoke(bus);
            bus.UsingRabbitMq((context, cfg) =>
            {
                if (!string.IsNullOrEmpty(prefix))
                {
                    cfg.MessageTopology.SetEntityNameFormatter(new PrefixedEntityNames(prefix, cfg.MessageTopology.EntityNameFormatter));
                }

                cfg.Host(rabbit);
                cfg.ConfigureEndpoints(context);
            });
        });
    }

    /// <summary>
    /// Traces and metrics leave the process only when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT, with
    /// OTEL_EXPORTER_OTLP_PROTOCOL grpc or http/protobuf). Without one no provider is built, so nothing listens to our
    /// sources and meters: activities are never created and instruments never record.
    /// </summary>
    private static void AddTelemetry(IServiceCollection services, IConfiguration configuration, ServiceInfo service)
    {
        var settings = TelemetrySettings.From(configuration, service);
        services.AddSingleton(settings);
        services.AddSingleton(_ => OpenTelemetrySdk.Create(otel =>
        {
            if (settings.Endpoint is not { } endpoint)
            {
                return;
            }

            otel.ConfigureResource(resource => resource.AddService(settings.ServiceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"));
            // ASP.NET Core's request span is left out on purpose: our gRPC server span is the service's entry span and
            // continues the caller's trace itself; both would be two server spans for one call.
            otel.WithTracing(tracing => tracing.AddSource(TelemetrySettings.ActivitySources));
            otel.WithMetrics(metrics => metrics.AddMeter(TelemetrySettings.Meters));
            otel.UseOtlpExporter(settings.Protocol, endpoint);
        }));
        services.AddHostedService<TelemetryHost>();
    }

    private static string RequiredConnectionString(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Connection string '{name}' is not set (environment variable ConnectionStrings__{name}).");
}
