using System.Globalization;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// The access log as events in the service's own store: one stream per UTC day ("access-20261121"), so that an
/// auditor reads a period without scanning every event, and the records share the hash chain and integrity checks
/// of everything else.
/// </summary>
public sealed class AccessLog(IEventStore store, EventStoreOptions options)
{
    public const string EventType = "AccessRecorded";
    public const string StreamType = "access-log";
    private const string StreamPrefix = "access-";

    public static string StreamOf(DateOnly day) => StreamPrefix + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    public static bool TryParseDay(string streamId, out DateOnly day) =>
        DateOnly.TryParseExact(streamId.StartsWith(StreamPrefix, StringComparison.Ordinal) ? streamId[StreamPrefix.Length..] : string.Empty, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);

    /// <summary>Appends in a session of its own; not cancellable, so that a client hanging up cannot erase its trace.</summary>
    public async Task RecordAsync(AccessRecorded record, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(record);
        var metadata = new EventMetadata(CorrelationId: correlationId, Actor: record.Caller, TenantId: record.CallerClinicId, Caller: record.Caller);
        var stored = EventJson.ToNewEvent(options.Types, record, metadata, Guid.CreateVersion7());
        await store.AppendAsync(StreamOf(DateOnly.FromDateTime(record.At.UtcDateTime)), StreamType, ExpectedVersion.Any, [stored], cancellationToken: CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Records of one day from <paramref name="fromVersion"/>, in order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<(long Version, AccessRecorded Record)>> ReadDayAsync(DateOnly day, long fromVersion, int limit, CancellationToken cancellationToken)
    {
        var events = await store.ReadStreamAsync(StreamOf(day), fromVersion, fromVersion + limit - 1, cancellationToken).ConfigureAwait(false);
        return [.. events.Where(e => e.EventType == EventType).Select(e => (e.StreamVersion, e.Data<AccessRecorded>()!))];
    }
}
