using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SpasmPlatform.EventStore.Diagnostics;

/// <summary>
/// Spans and instruments of the event store: appends, the outbox relay's publishes and the inbox consumers. The outbox
/// carries the W3C context of the activity that wrote a message, so the relay and the consumers continue that trace.
/// </summary>
public static class EventStoreTelemetry
{
    public const string SourceName = "SpasmPlatform.EventStore";
    public const string MeterName = "SpasmPlatform.EventStore";

    /// <summary>The outbox header with the writer's W3C traceparent (and tracestate); the same names as on the wire.</summary>
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    internal static readonly ActivitySource Source = new(SourceName);
    internal static readonly Meter Meter = new(MeterName);

    internal static readonly Histogram<double> OutboxLag = Meter.CreateHistogram<double>(
        "spasm.outbox.lag", "ms", "From an outbox message's commit to the broker's confirm of its publish.");

    internal static readonly Counter<long> OutboxPublished = Meter.CreateCounter<long>(
        "spasm.outbox.published", "{message}", "Outbox messages confirmed by the broker.");

    internal static readonly Histogram<double> ConsumerLag = Meter.CreateHistogram<double>(
        "spasm.consumer.lag", "ms", "From a message's send time to the start of its handling by an inbox consumer.");

    internal static readonly Histogram<double> AppendDuration = Meter.CreateHistogram<double>(
        "spasm.eventstore.append.duration", "ms", "One append (events and inline projections) in its transaction.");

    /// <summary>The headers with the current activity's W3C context added, unless they already carry one.</summary>
    internal static IReadOnlyDictionary<string, string>? WithTraceContext(IReadOnlyDictionary<string, string>? headers)
    {
        if (Activity.Current is not { IdFormat: ActivityIdFormat.W3C } current || headers?.ContainsKey(TraceParentHeader) == true)
        {
            return headers;
        }

        var withContext = headers is null ? new Dictionary<string, string>(2) : new Dictionary<string, string>(headers);
        withContext[TraceParentHeader] = current.Id!;
        if (!string.IsNullOrEmpty(current.TraceStateString))
        {
            withContext[TraceStateHeader] = current.TraceStateString;
        }

        return withContext;
    }

    internal static ActivityContext ParentFrom(IReadOnlyDictionary<string, string> headers) =>
        headers.TryGetValue(TraceParentHeader, out var traceParent)
        && ActivityContext.TryParse(traceParent, headers.GetValueOrDefault(TraceStateHeader), isRemote: true, out var context)
            ? context
            : default;
}
