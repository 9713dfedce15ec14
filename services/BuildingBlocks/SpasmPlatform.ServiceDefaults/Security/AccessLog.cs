using System.Globalization;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// The access log as events in the service's own store, sharded by UTC day: each day has <see cref="Shards"/> streams
/// ("access-20261121-07"), and each record goes to the next shard in turn. One stream per day made every read of
/// patient data in the service wait for the one before it (an append locks its stream); with shards, concurrent
/// reads append side by side. Every shard is an ordinary hash-chained stream, so the records keep the chain and the
/// integrity checks of everything else, and an auditor still reads a period without scanning other events.
/// </summary>
public sealed class AccessLog(IEventStore store, EventStoreOptions options)
{
    public const string EventType = "AccessRecorded";
    public const string StreamType = "access-log";

    /// <summary>Enough that two cores' worth of concurrent calls rarely meet on one stream; few enough to read a day cheaply.</summary>
    public const int Shards = 16;

    private const string StreamPrefix = "access-";
    private int _next = -1;

    public static string StreamOf(DateOnly day, int shard) =>
        string.Create(CultureInfo.InvariantCulture, $"{StreamPrefix}{day:yyyyMMdd}-{shard:00}");

    /// <summary>Every shard stream of a day.</summary>
    public static string[] StreamsOf(DateOnly day) => [.. Enumerable.Range(0, Shards).Select(shard => StreamOf(day, shard))];

    public static bool TryParseDay(string streamId, out DateOnly day)
    {
        day = default;
        var rest = streamId.StartsWith(StreamPrefix, StringComparison.Ordinal) ? streamId[StreamPrefix.Length..] : string.Empty;
        return rest.Length == 11 && rest[8] == '-'
            && int.TryParse(rest.AsSpan(9), NumberStyles.None, CultureInfo.InvariantCulture, out var shard) && shard < Shards
            && DateOnly.TryParseExact(rest[..8], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day);
    }

    /// <summary>Appends in a session of its own; not cancellable, so that a client hanging up cannot erase its trace.</summary>
    public async Task RecordAsync(AccessRecorded record, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(record);
        var metadata = new EventMetadata(CorrelationId: correlationId, Actor: record.Caller, TenantId: record.CallerClinicId, Caller: record.Caller);
        var stored = EventJson.ToNewEvent(options.Types, record, metadata, Guid.CreateVersion7());
        var shard = (int)((uint)Interlocked.Increment(ref _next) % Shards);
        await store.AppendAsync(StreamOf(DateOnly.FromDateTime(record.At.UtcDateTime), shard), StreamType, ExpectedVersion.Any, [stored], cancellationToken: CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Records of one day after global position <paramref name="afterPosition"/>, in the order they were stored across
    /// the day's shards, at most <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<AccessLogEntry>> ReadDayAsync(DateOnly day, long afterPosition, int limit, CancellationToken cancellationToken)
    {
        var events = await store.ReadStreamsAsync(StreamsOf(day), afterPosition, limit, cancellationToken).ConfigureAwait(false);
        return [.. events.Where(e => e.EventType == EventType).Select(e => new AccessLogEntry(e.GlobalPosition, e.StreamId, e.StreamVersion, e.Data<AccessRecorded>()))];
    }
}

/// <summary>One stored access record, with where it is in the store: its shard stream, version and global position.</summary>
public sealed record AccessLogEntry(long Position, string StreamId, long Version, AccessRecorded Record);
