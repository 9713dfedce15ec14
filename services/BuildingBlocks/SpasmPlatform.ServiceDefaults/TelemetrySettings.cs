using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>What the standard OTEL_* settings ask of a service's telemetry; an unset endpoint means none leaves the process.</summary>
public sealed record TelemetrySettings(Uri? Endpoint, OtlpExportProtocol Protocol, string ServiceName)
{
    /// <summary>Ours (every SpasmPlatform.* source) and MassTransit's, whose send and consume spans carry the trace over RabbitMQ.</summary>
    public static readonly string[] ActivitySources = ["SpasmPlatform.*", "MassTransit"];

    /// <summary>Ours, MassTransit's, and the runtime's own request, connection and rate-limiting meters.</summary>
    public static readonly string[] Meters = ["SpasmPlatform.*", "MassTransit", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "Npgsql"];

    /// <summary>Reads the settings; throws <see cref="ConfigurationValidationException"/> for values that cannot work.</summary>
    public static TelemetrySettings From(IConfiguration configuration, ServiceInfo service)
    {
        var serviceName = configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : $"spasm-{service.Name}";
        var disabled = string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase);
        var protocol = configuration["OTEL_EXPORTER_OTLP_PROTOCOL"] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new ConfigurationValidationException(
                [$"OTEL_EXPORTER_OTLP_PROTOCOL is '{other}'; use 'grpc' or 'http/protobuf'."]),
        };

        if (disabled || configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is not { Length: > 0 } value)
        {
            return new TelemetrySettings(null, protocol, serviceName);
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"
            ? new TelemetrySettings(endpoint, protocol, serviceName)
            : throw new ConfigurationValidationException([$"OTEL_EXPORTER_OTLP_ENDPOINT is '{value}'; it must be an absolute http:// or https:// URL (e.g. http://otel-collector:4317)."]);
    }
}
