using System.Diagnostics;
using JasperFx.Events;
using Marten;

namespace SpasmPlatform.EventStore.Streams;

/// <summary>Between our event shapes and Marten's <see cref="IEvent"/>: metadata into Marten's columns and back.</summary>
internal static class MartenEvents
{
    internal const string TenantHeader = "tenant";
    internal const string CallerHeader = "caller";
    internal const string TraceHeader = "trace_id";

    /// <summary>
    /// Built with <c>BuildEvent</c>: an event wrapped any other way is typed as System.Object and projections skip it.
    /// </summary>
    public static IEvent Build(IDocumentSession session, NewEvent newEvent, DateTimeOffset recordedAt)
    {
        var built = session.Events.BuildEvent(newEvent.Data);
        built.Id = newEvent.EventId;
        // QuickWithServerTimestamps stores this time as given: the append's one clock reading, so the time an append
        // reports is the time stored, and the hash the trigger computes covers it.
        built.Timestamp = recordedAt;
        var metadata = AmbientCaller.Stamp(newEvent.Metadata);
        built.CorrelationId = metadata.CorrelationId;
        built.CausationId = metadata.CausationId;
        built.UserName = metadata.Actor;
        if (metadata.Headers is not null)
        {
            foreach (var (key, value) in metadata.Headers)
            {
                built.SetHeader(key, value);
            }
        }

        if (metadata.TenantId is not null)
        {
            built.SetHeader(TenantHeader, metadata.TenantId);
        }

        if (metadata.Caller is not null)
        {
            built.SetHeader(CallerHeader, metadata.Caller);
        }

        // The trace the append happened in, so an auditor can go from an event to its spans; hashed with the rest.
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity && metadata.Headers?.ContainsKey(TraceHeader) != true)
        {
            built.SetHeader(TraceHeader, activity.TraceId.ToHexString());
        }

        return built;
    }

    public static StoredEvent ToStored(IEvent e, EventTypeNames names) =>
        new(e.Sequence, e.StreamKey!, e.Version, e.Id, names.NameOf(e), e.Data, MetadataOf(e), e.Timestamp);

    public static EventMetadata MetadataOf(IEvent e)
    {
        string? tenant = null, caller = null;
        Dictionary<string, string>? headers = null;
        if (e.Headers is { Count: > 0 })
        {
            foreach (var (key, value) in e.Headers)
            {
                var text = value switch
                {
                    null => null,
                    string s => s,
                    System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } element => element.GetString(),
                    _ => value.ToString(),
                };
                if (text is null)
                {
                    continue;
                }

                switch (key)
                {
                    case TenantHeader: tenant = text; break;
                    case CallerHeader: caller = text; break;
                    default: (headers ??= new Dictionary<string, string>(StringComparer.Ordinal))[key] = text; break;
                }
            }
        }

        return new EventMetadata(
            string.IsNullOrEmpty(e.CorrelationId) ? null : e.CorrelationId,
            string.IsNullOrEmpty(e.CausationId) ? null : e.CausationId,
            string.IsNullOrEmpty(e.UserName) ? null : e.UserName,
            tenant,
            headers,
            caller);
    }
}

/// <summary>
/// The stored name of an event: Marten's alias, except for an upcast event, which is read as today's type but was
/// stored under its old name (what the hash covers and what an auditor sees in the table).
/// </summary>
internal sealed class EventTypeNames(Serialization.EventTypeRegistry types)
{
    public string NameOf(IEvent e) => string.IsNullOrEmpty(e.EventTypeName) ? types.NameOf(e.EventType) : e.EventTypeName;
}
