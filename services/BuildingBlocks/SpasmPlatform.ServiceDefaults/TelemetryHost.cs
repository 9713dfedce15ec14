using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Builds the OpenTelemetry SDK at start-up (so listeners exist before the first request) and flushes it once every
/// other hosted service has stopped, so the spans and logs of the shutdown drain (last calls, last outbox publishes) are
/// exported too. Needed because OpenTelemetry.Extensions.Hosting is not available here.
/// </summary>
internal sealed class TelemetryHost(OpenTelemetrySdk sdk) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        sdk.TracerProvider.ForceFlush(5000);
        sdk.MeterProvider.ForceFlush(5000);
        sdk.LoggerProvider.ForceFlush(5000);
        return Task.CompletedTask;
    }
}
