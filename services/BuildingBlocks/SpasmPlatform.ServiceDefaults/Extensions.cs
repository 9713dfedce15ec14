using System.Net;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SpasmPlatform.Grpc.Health;
using SpasmPlatform.Grpc.Interceptors;
using SpasmPlatform.Grpc.RateLimiting;
using SpasmPlatform.Grpc.Reflection;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.Grpc.Server;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.ServiceDefaults.Messaging;
using SpasmPlatform.ServiceDefaults.Security;
using SpasmPlatform.ServiceDefaults.Privacy;
using SpasmPlatform.Privacy;

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
        var security = SecuritySettings.From(configuration, []) ?? throw new InvalidOperationException("Security settings were validated above.");
        builder.Services.AddSingleton(security);
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(configuration.GetValue("shutdownTimeoutSeconds", DefaultShutdownTimeoutSeconds)));
        builder.WebHost.ConfigureKestrel(kestrel => ConfigureEndpoint(kestrel, configuration, service, security));

        builder.Services.AddGrpc(grpc =>
        {
            // Outermost, so that the span and the call metrics cover everything the other interceptors do.
            grpc.Interceptors.Add(typeof(ServerTelemetryInterceptor));
            grpc.Interceptors.Add(typeof(ServerLoggingInterceptor));
            // Text PostgreSQL cannot store (U+0000) is refused first: the authorization layer looks ids up and records
            // them in the access log.
            grpc.Interceptors.Add(typeof(StorableTextInterceptor));
            // Before validation: a caller that may not call a method learns nothing about its request's fields.
            grpc.Interceptors.Add(typeof(AuthorizationInterceptor));
            grpc.Interceptors.Add(typeof(ValidationInterceptor));
            grpc.Interceptors.Add(typeof(StoreErrorInterceptor));
        });
        AddRateLimiting(builder.Services, configuration);
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
            store.Types.Register<AccessRecorded>(AccessLog.EventType);
            configureEventStore?.Invoke(store);
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClientCertificateAuthenticator>();
        builder.Services.AddSingleton<AccessLog>();
        builder.Services.AddSingleton<TlsChannels>();
        if (service.StoresClinicalNotes)
        {
            // Validated above, so the key is there; the patient keys live beside the service's events.
            var masterKey = NotesKeySettings.Load(configuration, []) ?? throw new InvalidOperationException("The notes key was validated but did not load.");
            var keys = new PatientKeyStore(configuration["EventStore:Schema"] ?? eventStoreSchema, masterKey);
            builder.Services.AddSingleton(keys);
            builder.Services.AddSingleton(sp => new ClinicalNotesVault(keys, sp.GetRequiredService<NpgsqlDataSource>()));
        }

        AddMessaging(builder.Services, configuration, configureBus);
        builder.Services.AddOutboxRelay(outbox => configureOutbox?.Invoke(outbox));
        AddTelemetry(builder.Services, configuration, service);
        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        if (app.Services.GetRequiredService<RateLimitSettings>().Enabled)
        {
            // After routing (WebApplication adds it first), so the health service's DisableRateLimiting is seen.
            app.UseGrpcRateLimiting();
        }

        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>
    /// A token bucket per caller over every RPC except health (probes must keep working while a caller is throttled).
    /// The caller is <see cref="ICallerPartitionKey"/>: the client certificate (the caller's identity under mutual TLS), or the remote
    /// address in development mode.
    /// </summary>
    private static void AddRateLimiting(IServiceCollection services, IConfiguration configuration)
    {
        var settings = RateLimitSettings.From(configuration);
        services.AddSingleton(settings);
        if (settings.Enabled)
        {
            services.AddGrpcRateLimiting(limits =>
            {
                limits.PermitsPerSecond = settings.PermitsPerSecond;
                limits.Burst = settings.Burst;
            });
        }
    }

    /// <summary>
    /// One HTTP/2-only endpoint: TLS with client certificates, or cleartext h2c in development mode (which needs Http2
    /// alone, since Http1AndHttp2 silently falls back to HTTP/1.1 without TLS).
    /// </summary>
    private static void ConfigureEndpoint(KestrelServerOptions kestrel, IConfiguration configuration, ServiceInfo service, SecuritySettings security)
    {
        var bind = configuration["Grpc:BindAddress"] ?? "127.0.0.1";
        var port = configuration.GetValue("Grpc:Port", service.DefaultPort);
        var address = bind is "*" or "0.0.0.0" ? IPAddress.Any : IPAddress.Parse(bind);
        kestrel.Listen(address, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (security.Mode == SecurityMode.MutualTls)
            {
                listen.UseHttps(https =>
                {
                    https.ServerCertificate = security.Certificate;
                    // Asked for in the handshake but judged per call by ClientCertificateAuthenticator, so that a
                    // missing, expired or foreign certificate gets a gRPC UNAUTHENTICATED with the reason (and a log
                    // line) instead of a bare TLS alert; only health checks answer without one.
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.AllowAnyClientCertificate();
                });
            }
        });
        // Kubernetes' and Docker's gRPC probes speak cleartext and carry no certificate: with Grpc:HealthPort set they
        // get a port of their own, on which only grpc.health.v1 answers (see AuthorizationInterceptor).
        if (configuration.GetValue<int?>("Grpc:HealthPort") is { } healthPort)
        {
            kestrel.Listen(address, healthPort, listen => listen.Protocols = HttpProtocols.Http2);
        }

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
    /// Traces, metrics and logs leave the process only when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT,
    /// with OTEL_EXPORTER_OTLP_PROTOCOL grpc or http/protobuf). Without one no provider is built, so nothing listens to
    /// our sources and meters (activities are never created, instruments never record) and no logger provider is added.
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
            otel.WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            });
            // The SDK's own logger factory would drop records below Information; the host's Logging:LogLevel already
            // chose what reaches OtlpLoggerProvider, so nothing more is filtered here.
            otel.Services.Configure<LoggerFilterOptions>(filter => filter.MinLevel = LogLevel.Trace);
            otel.UseOtlpExporter(settings.Protocol, endpoint);
        }));
        if (settings.Endpoint is not null)
        {
            services.AddSingleton<ILoggerProvider, OtlpLoggerProvider>();
        }

        services.AddHostedService<TelemetryHost>();
    }

    private static string RequiredConnectionString(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Connection string '{name}' is not set (environment variable ConnectionStrings__{name}).");
}
