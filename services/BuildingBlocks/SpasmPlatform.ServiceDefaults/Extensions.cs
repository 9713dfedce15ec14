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
using Grpc.Core.Interceptors;
using SpasmPlatform.ServiceDefaults.RateLimiting;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SpasmPlatform.ServiceDefaults.Grpc;
using SpasmPlatform.ServiceDefaults.Messaging;
using SpasmPlatform.ServiceDefaults.Security;
using SpasmPlatform.ServiceDefaults.Privacy;
using SpasmPlatform.Privacy;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.ServiceDefaults.Startup;

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
            // Text PostgreSQL cannot store (U+0000) is refused first: the authorization layer looks ids up and records
            // them in the access log.
            grpc.Interceptors.Add<StorableTextInterceptor>();
            // Before validation: a caller that may not call a method learns nothing about its request's fields.
            grpc.Interceptors.Add<AuthorizationInterceptor>();
            grpc.Interceptors.Add<ValidationInterceptor>();
            grpc.Interceptors.Add<ReadinessInterceptor>();
            grpc.Interceptors.Add<ErrorInterceptor>();
            grpc.MaxReceiveMessageSize = MaxMessageSize;
        });
        AddRateLimiting(builder.Services, configuration);
        builder.Services.AddGrpcReflection();
        AddHealth(builder.Services, service);

        builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(RequiredConnectionString(configuration, "Postgres"))
        {
            Name = service.Name,
        }.Build());

        // EventStore:Schema lets two deployments (or test runs) share one database without sharing events.
        var schema = configuration["EventStore:Schema"] ?? eventStoreSchema;
        PatientKeyStore? keys = null;
        if (service.StoresClinicalNotes)
        {
            // Validated above, so the key is there; the patient keys live beside the service's events.
            var masterKey = NotesKeySettings.Load(configuration, []) ?? throw new InvalidOperationException("The notes key was validated but did not load.");
            keys = new PatientKeyStore(schema, masterKey);
            builder.Services.AddSingleton(keys);
            builder.Services.AddSingleton(sp => new ClinicalNotesVault(keys, sp.GetRequiredService<NpgsqlDataSource>()));
            builder.Services.AddGrpcErrors(errors => errors.Map<NotesKeyMismatchException>(global::Grpc.Core.StatusCode.FailedPrecondition));
        }

        builder.Services.AddEventStore(store =>
        {
            store.Schema = schema;
            store.Types.Register<AccessRecorded>(AccessRecorded.EventType);
            if (keys is not null)
            {
                store.Tables.Add(keys.CreateSql);
            }

            configureEventStore?.Invoke(store);
        });
        builder.Services.AddSingleton<ServiceStartup>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ServiceStartup>());
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration("startup", sp => sp.GetRequiredService<ServiceStartup>(), failureStatus: null, tags: ["ready"]));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ClientCertificateAuthenticator>();
        builder.Services.AddSingleton<AccessLog>();
        builder.Services.AddSingleton<TlsChannels>();

        AddMessaging(builder.Services, configuration, configureBus);
        builder.Services.AddOutboxRelay(outbox => configureOutbox?.Invoke(outbox));
        AddTelemetry(builder.Services, configuration, service);
        return builder;
    }

    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        app.UseGrpcCallLog();
        if (app.Services.GetRequiredService<RateLimitSettings>().Enabled)
        {
            app.UseCallerRateLimiting();
        }

        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        return app;
    }

    /// <summary>Adds entries to the service's exception → status map (see <see cref="GrpcErrorMap"/>).</summary>
    public static IServiceCollection AddGrpcErrors(this IServiceCollection services, Action<GrpcErrorMap> configure) =>
        services.Configure(configure);

    /// <summary>Registers <paramref name="validators"/> for every request type it validates (each IRequestValidator&lt;T&gt; it implements).</summary>
    public static IServiceCollection AddRequestValidators(this IServiceCollection services, object validators)
    {
        ArgumentNullException.ThrowIfNull(validators);
        foreach (var contract in validators.GetType().GetInterfaces().Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IRequestValidator<>)))
        {
            services.AddSingleton(contract, validators);
        }

        return services;
    }

    /// <summary>A step the service must have done before it is ready; steps run in the order they are added.</summary>
    public static IServiceCollection AddStartupStep<TStep>(this IServiceCollection services)
        where TStep : class, IStartupStep =>
        services.AddSingleton<IStartupStep, TStep>();

    /// <summary>Largest request or response message: a knowledge publish carries the whole content (a few hundred KB).</summary>
    public const int MaxMessageSize = 16 * 1024 * 1024;

    /// <summary>
    /// grpc.health.v1 through Grpc.AspNetCore.HealthChecks. "liveness" says only that the process answers (a liveness
    /// probe that followed PostgreSQL would restart every pod during a database outage, one that followed shutdown
    /// would kill a pod mid-drain); "" and the service's own gRPC service names follow every readiness check
    /// (PostgreSQL, RabbitMQ, the service's own start-up) and turn NOT_SERVING as soon as the host starts draining.
    /// </summary>
    private static void AddHealth(IServiceCollection services, ServiceInfo service)
    {
        services.AddSingleton<DrainingHealthCheck>();
        services.AddGrpcHealthChecks(health =>
        {
            // A name whose checks are all filtered out answers UNKNOWN: liveness follows one check that is always healthy.
            health.Services.Map(LivenessService, result => result.Tags.Contains("live"));
            health.Services.Map(string.Empty, result => result.Tags.Contains("ready"));
            foreach (var name in service.GrpcServices)
            {
                health.Services.Map(name, result => result.Tags.Contains("ready"));
            }

            // Check runs the checks each time (a probe wants the state now); Watch follows the publisher below.
            health.UseHealthChecksCache = false;
        })
            .AddCheck("process", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"])
            .AddCheck<DrainingHealthCheck>("draining", tags: ["ready"]);
        services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = TimeSpan.FromSeconds(2);
        });
    }

    /// <summary>The health service name that is SERVING whenever the process answers (see <see cref="AddHealth"/>).</summary>
    public const string LivenessService = "liveness";

    /// <summary>
    /// A token bucket per caller over every RPC except health (probes must keep working while a caller is throttled);
    /// the caller is the client certificate under mutual TLS, the remote address in development mode.
    /// </summary>
    private static void AddRateLimiting(IServiceCollection services, IConfiguration configuration)
    {
        var settings = RateLimitSettings.From(configuration);
        services.AddSingleton(settings);
        if (settings.Enabled)
        {
            services.AddCallerRateLimiting(settings.PermitsPerSecond, settings.Burst);
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
            // MassTransit reports usage to its vendor over the internet unless told not to; a clinical platform sends
            // nothing anywhere its operators did not configure.
            bus.DisableUsageTelemetry();
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
    /// Traces, metrics and logs through OpenTelemetry.Extensions.Hosting, leaving the process only when an OTLP endpoint
    /// is configured (OTEL_EXPORTER_OTLP_ENDPOINT, with OTEL_EXPORTER_OTLP_PROTOCOL grpc or http/protobuf). Without one
    /// nothing is registered: no source is listened to, no instrument records, no logger provider is added. The
    /// instrumentation packages give the gRPC server span (ASP.NET Core), client spans (Grpc.Net.Client), SQL (Npgsql)
    /// and the broker (MassTransit); our own sources remain only where none exists: triage, event store, outbox, inbox.
    /// </summary>
    private static void AddTelemetry(IServiceCollection services, IConfiguration configuration, ServiceInfo service)
    {
        var settings = TelemetrySettings.From(configuration, service);
        services.AddSingleton(settings);
        if (settings.Endpoint is not { } endpoint)
        {
            return;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithTracing(tracing => tracing
                .AddSource(TelemetrySettings.ActivitySources)
                .AddAspNetCoreInstrumentation(aspnet =>
                {
                    // Probes poll health every few seconds: spans of them would bury the calls that matter.
                    aspnet.Filter = context => !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal);
                    aspnet.EnrichWithHttpRequest = GrpcServerSpans.OnRequest;
                    aspnet.EnrichWithHttpResponse = GrpcServerSpans.OnResponse;
                })
                .AddGrpcClientInstrumentation(grpc => grpc.SuppressDownstreamInstrumentation = true)
                .AddHttpClientInstrumentation()
                .AddNpgsql())
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetrySettings.Meters)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithLogging(configureBuilder: null, configureOptions: logging =>
            {
                logging.IncludeFormattedMessage = true;
                logging.IncludeScopes = true;
            })
            .UseOtlpExporter(settings.Protocol, endpoint);
    }

    private static string RequiredConnectionString(IConfiguration configuration, string name) =>
        configuration.GetConnectionString(name) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"Connection string '{name}' is not set (environment variable ConnectionStrings__{name}).");

    /// <summary>
    /// A generated client of another platform service, from the client factory: its address from configuration, the
    /// service's own certificate under mutual TLS, retries of UNAVAILABLE for the methods the protos mark idempotent,
    /// and a deadline on every call that names none.
    /// </summary>
    public static IHttpClientBuilder AddPlatformGrpcClient<TClient>(this IServiceCollection services, Func<IServiceProvider, string> address, TimeSpan? deadline = null)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(address);
        var callDeadline = deadline ?? PlatformChannels.DefaultDeadline;
        var builder = services.AddGrpcClient<TClient>((sp, client) =>
        {
            client.Address = new Uri(address(sp), UriKind.Absolute);
            client.ChannelOptionsActions.Add(channel =>
            {
                channel.ServiceConfig = PlatformChannels.RetryPolicy();
                channel.MaxReceiveMessageSize = MaxMessageSize;
            });
            client.CallOptionsActions.Add(call =>
            {
                if (call.CallOptions.Deadline is null)
                {
                    call.CallOptions = call.CallOptions.WithDeadline(DateTime.UtcNow.Add(callDeadline));
                }
            });
        });
        builder.ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<TlsChannels>().CreateHandler(new Uri(address(sp), UriKind.Absolute)));
        return builder;
    }
}
