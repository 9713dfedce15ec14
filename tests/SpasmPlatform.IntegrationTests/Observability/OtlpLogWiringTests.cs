using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Observability.Otlp;
using SpasmPlatform.ServiceDefaults;

namespace SpasmPlatform.IntegrationTests.Observability;

/// <summary>
/// The shared host's log wiring in-process: with an OTLP endpoint, what the host's ILogger writes (at the levels its
/// Logging:LogLevel lets through) reaches the receiver with the active span's ids and the service resource; without
/// one, no OTLP logger provider is added at all.
/// </summary>
public sealed class OtlpLogWiringTests
{
    private static readonly ActivitySource Source = new("SpasmPlatform.Tests.LogWiring");

    [Fact]
    public async Task Host_logs_are_exported_with_the_active_span_and_the_service_resource()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        var app = Build(new Dictionary<string, string?>(receiver.Environment.ToDictionary(e => e.Key, e => (string?)e.Value))
        {
            ["OTEL_SERVICE_NAME"] = "spasm-log-wiring",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:SpasmPlatform.Tests.Verbose"] = "Debug",
        });
        string traceId, spanId;
        await using (app)
        {
            // The SDK's providers are built when the host starts; this host never starts, so it asks for them.
            Assert.NotNull(app.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
            var loggers = app.Services.GetRequiredService<ILoggerFactory>();
            using (var activity = Source.StartActivity("log wiring"))
            {
                Assert.NotNull(activity);
                traceId = activity.TraceId.ToHexString();
                spanId = activity.SpanId.ToHexString();
                loggers.CreateLogger("SpasmPlatform.Tests.Verbose").LogDebug("debug line {Marker}", "verbose-debug");
                loggers.CreateLogger("SpasmPlatform.Tests.Quiet").LogDebug("debug line {Marker}", "quiet-debug");
                loggers.CreateLogger("SpasmPlatform.Tests.Quiet").LogWarning("warning line {Marker}", "quiet-warning");
            }

            loggers.CreateLogger("SpasmPlatform.Tests.Quiet").LogInformation("outside any span {Marker}", "no-span");
        }

        // Disposing the host disposed the SDK, which exported what it still held.
        var logs = receiver.Logs.Where(l => l.ServiceName == "spasm-log-wiring").ToList();
        Assert.DoesNotContain(logs, l => l.Attribute("Marker") == "quiet-debug");

        var verbose = Assert.Single(logs, l => l.Attribute("Marker") == "verbose-debug");
        Assert.Equal(SeverityNumber.Debug, verbose.Record.SeverityNumber);
        Assert.Equal("SpasmPlatform.Tests.Verbose", verbose.Scope);
        Assert.Equal("debug line verbose-debug", verbose.Body);
        Assert.Equal((traceId, spanId), (verbose.TraceId, verbose.SpanId));

        var warning = Assert.Single(logs, l => l.Attribute("Marker") == "quiet-warning");
        Assert.Equal(SeverityNumber.Warn, warning.Record.SeverityNumber);
        Assert.Equal((traceId, spanId), (warning.TraceId, warning.SpanId));

        var outside = Assert.Single(logs, l => l.Attribute("Marker") == "no-span");
        Assert.True(outside.Record.TraceId.IsEmpty, $"a record written outside any span has no trace id: {outside}");
    }

    [Fact]
    public async Task Without_an_endpoint_no_otlp_logger_provider_is_added()
    {
        await using var app = Build(new Dictionary<string, string?>());

        var providers = app.Services.GetServices<ILoggerProvider>().Select(p => p.GetType().Name).ToList();
        Assert.Contains("ConsoleLoggerProvider", providers);
        Assert.DoesNotContain("OpenTelemetryLoggerProvider", providers);
        Assert.Null(app.Services.GetService<OpenTelemetry.Trace.TracerProvider>());
    }

    /// <summary>A host with the shared wiring, built but never started: nothing here connects to PostgreSQL or RabbitMQ.</summary>
    private static WebApplication Build(Dictionary<string, string?> settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings:Postgres"] = Platform.Postgres,
            ["ConnectionStrings:RabbitMq"] = Platform.RabbitMq,
            ["Security:Mode"] = "Development",
        });
        builder.AddServiceDefaults(new ServiceInfo("log-wiring", 5199), eventStoreSchema: "log_wiring_unused");
        return builder.Build();
    }
}
