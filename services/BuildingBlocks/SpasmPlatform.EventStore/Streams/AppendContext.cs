using System.Diagnostics;
using SpasmPlatform.EventStore.Diagnostics;

namespace SpasmPlatform.EventStore.Streams;

/// <summary>
/// The ambient facts an append stamps on its events and outbox messages (the calling system, the trace), captured in a
/// request's own flow so that work written later on its behalf, in a batch shared with other requests, still carries
/// that request's caller and trace and not the batch's.
/// </summary>
public sealed record AppendContext(string? Caller, ActivityContext Trace)
{
    public static AppendContext Capture() => new(AmbientCaller.Value, Activity.Current?.Context ?? default);

    private bool HasTrace => Trace.TraceId != default;

    /// <summary>The metadata with this request's caller and trace id, unless it names its own.</summary>
    public EventMetadata Stamp(EventMetadata metadata)
    {
        var stamped = metadata.Caller is null && Caller is not null ? metadata with { Caller = Caller } : metadata;
        if (!HasTrace || stamped.Headers?.ContainsKey(MartenEvents.TraceHeader) == true)
        {
            return stamped;
        }

        var headers = stamped.Headers is null ? new Dictionary<string, string>(1) : new Dictionary<string, string>(stamped.Headers);
        headers[MartenEvents.TraceHeader] = Trace.TraceId.ToHexString();
        return stamped with { Headers = headers };
    }

    /// <summary>The message with this request's W3C trace context, so the relay publishes it within that trace.</summary>
    public OutboxMessage Stamp(OutboxMessage message)
    {
        if (!HasTrace || message.Headers?.ContainsKey(EventStoreTelemetry.TraceParentHeader) == true)
        {
            return message;
        }

        var headers = message.Headers is null ? new Dictionary<string, string>(2) : new Dictionary<string, string>(message.Headers);
        headers[EventStoreTelemetry.TraceParentHeader] = $"00-{Trace.TraceId.ToHexString()}-{Trace.SpanId.ToHexString()}-{(int)Trace.TraceFlags:x2}";
        if (!string.IsNullOrEmpty(Trace.TraceState))
        {
            headers[EventStoreTelemetry.TraceStateHeader] = Trace.TraceState;
        }

        return message with { Headers = headers };
    }

    /// <summary>
    /// A span in this request's trace for its share of a batch written on its behalf (started when the batch began),
    /// linked to the batch's own span; null when nobody listens or the request had no trace.
    /// </summary>
    public Activity? StartSpan(string name, DateTimeOffset startedAt, int batchSize)
    {
        if (!HasTrace || !EventStoreTelemetry.Source.HasListeners())
        {
            return null;
        }

        ActivityLink[]? links = Activity.Current is { } batch ? [new ActivityLink(batch.Context)] : null;
        var span = EventStoreTelemetry.Source.StartActivity(name, ActivityKind.Internal, Trace, links: links, startTime: startedAt);
        span?.SetTag("spasm.eventstore.batch_size", batchSize);
        return span;
    }

    /// <summary>
    /// The batch's own span, linked to the trace of every request in it. A root: group-commit writers run without
    /// an ambient activity (they do not inherit the flow that created them), and the batch belongs to no one request.
    /// </summary>
    public static Activity? StartBatch(string name, IReadOnlyCollection<AppendContext> requests)
    {
        if (!EventStoreTelemetry.Source.HasListeners())
        {
            return null;
        }

        var links = requests.Where(r => r.HasTrace).Select(r => new ActivityLink(r.Trace));
        var batch = EventStoreTelemetry.Source.StartActivity(name, ActivityKind.Internal, default(ActivityContext), links: links);
        batch?.SetTag("spasm.eventstore.batch_size", requests.Count);
        return batch;
    }
}
