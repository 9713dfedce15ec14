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
/// Records that arrive together are written in one transaction (<see cref="GroupCommit{TItem,TResult}"/>): at thousands
/// of reads a second, a commit of its own for each record would be the ceiling.
/// </summary>
public sealed class AccessLog : IAsyncDisposable
{
    public const string EventType = AccessRecorded.EventType;
    public const string StreamType = "access-log";

    /// <summary>Enough that two cores' worth of concurrent calls rarely meet on one stream; few enough to read a day cheaply.</summary>
    public const int Shards = 16;

    private const string StreamPrefix = "access-";
    private readonly IEventStore _store;
    private readonly EventStoreOptions _options;
    private readonly GroupCommit<Pending, bool> _writes;
    private int _next = -1;

    public AccessLog(IEventStore store, EventStoreOptions options)
    {
        _store = store;
        _options = options;
        // One writer: a batch locks the shards it writes, so a second would mostly wait for the first.
        _writes = new GroupCommit<Pending, bool>(WriteAsync, maxBatch: 256, writers: 1);
    }

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

    /// <summary>
    /// Returns once the record is committed (with the others that arrived with it). Not cancellable, so that a client
    /// hanging up cannot erase its trace.
    /// </summary>
    public Task RecordAsync(AccessRecorded record, string? correlationId)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _writes.RunAsync(new Pending(record, correlationId, AppendContext.Capture()), CancellationToken.None);
    }

    public ValueTask DisposeAsync() => _writes.DisposeAsync();

    private async Task WriteAsync(IReadOnlyList<GroupCommit<Pending, bool>.Request> batch, CancellationToken cancellationToken)
    {
        // Each record still goes to the next shard in turn; a batch appends to the shards it reaches, in one transaction.
        var streams = new Dictionary<string, List<NewEvent>>(StringComparer.Ordinal);
        foreach (var request in batch)
        {
            var (record, correlationId, context) = request.Item;
            var metadata = context.Stamp(new EventMetadata(CorrelationId: correlationId, Actor: record.Caller, TenantId: record.CallerClinicId, Caller: record.Caller));
            var shard = (int)((uint)Interlocked.Increment(ref _next) % Shards);
            var stream = StreamOf(DateOnly.FromDateTime(record.At.UtcDateTime), shard);
            if (!streams.TryGetValue(stream, out var events))
            {
                streams[stream] = events = [];
            }

            events.Add(EventJson.ToNewEvent(_options.Types, record, metadata, Guid.CreateVersion7()));
        }

        await using (var session = await _store.OpenSessionAsync(cancellationToken).ConfigureAwait(false))
        {
            await session.AppendManyAsync([.. streams.Select(s => new StreamAppend(s.Key, StreamType, ExpectedVersion.Any, s.Value))], cancellationToken).ConfigureAwait(false);
            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var request in batch)
        {
            request.Complete(true);
        }
    }

    private sealed record Pending(AccessRecorded Record, string? CorrelationId, AppendContext Context);

    /// <summary>
    /// Records of one day after global position <paramref name="afterPosition"/>, in the order they were stored across
    /// the day's shards, at most <paramref name="limit"/>.
    /// </summary>
    public async Task<IReadOnlyList<AccessLogEntry>> ReadDayAsync(DateOnly day, long afterPosition, int limit, CancellationToken cancellationToken)
    {
        var events = await _store.ReadStreamsAsync(StreamsOf(day), afterPosition, limit, cancellationToken).ConfigureAwait(false);
        return [.. events.Where(e => e.EventType == EventType).Select(e => new AccessLogEntry(e.GlobalPosition, e.StreamId, e.StreamVersion, e.Data<AccessRecorded>()))];
    }
}

/// <summary>One stored access record, with where it is in the store: its shard stream, version and global position.</summary>
public sealed record AccessLogEntry(long Position, string StreamId, long Version, AccessRecorded Record);
