using Microsoft.Extensions.Logging;
using OpenTelemetry;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>
/// Hands the host's log records to the OpenTelemetry SDK's own logger factory, so they leave through the same OTLP
/// exporter, resource and OTEL_* settings as traces and metrics. The host's filters (Logging:LogLevel) decide what gets
/// here; the SDK stamps each record with Activity.Current's trace and span id. Registered only when an OTLP endpoint
/// is configured. The SDK is a host singleton and is disposed (flushed) by the host, not here.
/// </summary>
internal sealed class OtlpLoggerProvider(OpenTelemetrySdk sdk) : ILoggerProvider
{
    private readonly ILoggerFactory _factory = sdk.GetLoggerFactory();

    public ILogger CreateLogger(string categoryName) => _factory.CreateLogger(categoryName);

    public void Dispose()
    {
    }
}
