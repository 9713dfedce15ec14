using SpasmPlatform.IntegrationTests.Observability.Otlp;

namespace SpasmPlatform.IntegrationTests.Observability;

/// <summary>One span as the receiver got it, with the service (resource service.name) and scope (activity source) that sent it.</summary>
public sealed record ReceivedSpan(string ServiceName, string Scope, Span Span)
{
    public string TraceId => Convert.ToHexStringLower(Span.TraceId.Span);

    public string SpanId => Convert.ToHexStringLower(Span.SpanId.Span);

    public string ParentSpanId => Convert.ToHexStringLower(Span.ParentSpanId.Span);

    public string Name => Span.Name;

    public object? Attribute(string key) => Span.Attributes.FirstOrDefault(a => a.Key == key)?.Value switch
    {
        null => null,
        { ValueCase: AnyValue.ValueOneofCase.StringValue } v => v.StringValue,
        { ValueCase: AnyValue.ValueOneofCase.IntValue } v => v.IntValue,
        { ValueCase: AnyValue.ValueOneofCase.BoolValue } v => v.BoolValue,
        { ValueCase: AnyValue.ValueOneofCase.DoubleValue } v => v.DoubleValue,
        _ => null,
    };

    public override string ToString() => $"{ServiceName} {Scope} '{Name}' {Span.Kind} trace={TraceId} span={SpanId} parent={ParentSpanId}";
}
