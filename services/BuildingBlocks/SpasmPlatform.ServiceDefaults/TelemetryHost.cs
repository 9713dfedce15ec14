using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Builds the OpenTelemetry SDK at start-up (so listeners exist before the first request) and flushes it at
/// shutdown. Needed because OpenTelemetry.Extensions.Hosting is not available here.
/// </summary>
internal sealed class TelemetryHost(OpenTelemetrySdk sdk) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        sdk.TracerProvider.ForceFlush(5000);
        return Task.CompletedTask;
    }
}
