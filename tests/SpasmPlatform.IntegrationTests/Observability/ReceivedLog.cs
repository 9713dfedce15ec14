using SpasmPlatform.IntegrationTests.Observability.Otlp;

namespace SpasmPlatform.IntegrationTests.Observability;

/// <summary>One log record as the receiver got it, with the service (resource service.name) and scope (logger category) that sent it.</summary>
public sealed record ReceivedLog(string ServiceName, string Scope, LogRecord Record)
{
    public string TraceId => Convert.ToHexStringLower(Record.TraceId.Span);

    public string SpanId => Convert.ToHexStringLower(Record.SpanId.Span);

    public string Body => Record.Body?.StringValue ?? string.Empty;

    public string? Attribute(string key) => Record.Attributes.FirstOrDefault(a => a.Key == key)?.Value?.StringValue;

    public override string ToString() => $"{ServiceName} {Scope} {Record.SeverityNumber} '{Body}' trace={TraceId} span={SpanId}";
}
