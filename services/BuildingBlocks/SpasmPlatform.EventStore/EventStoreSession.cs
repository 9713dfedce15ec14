using System.Diagnostics;
using JasperFx.Events;
using Marten;
using Npgsql;
using NpgsqlTypes;
using SpasmPlatform.EventStore.Diagnostics;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

/// <summary>
/// One transaction of ours with a Marten session riding on it. Appends (with their inline projections), inbox marks
/// and outbox messages all commit together, so a consumer's effects and the record that it handled a message can
/// never disagree.
/// </summary>
public sealed class EventStoreSession : IAsyncDisposable
{
    private readonly MartenEventStore _store;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly IDocumentSession _session;
    private readonly List<OutboxMessage> _outbox = [];
    // Streams fetched for writing and not yet appended to: an append to one goes on Marten's handle, whose version
    // Marten checks at save.
    private readonly Dictionary<string, IEventStream<object>> _fetched = new(StringComparer.Ordinal);
    private bool _completed;

    internal EventStoreSession(MartenEventStore store, NpgsqlConnection connection, NpgsqlTransaction transaction, IDocumentSession session)
    {
        _store = store;
        _connection = connection;
        _transaction = transaction;
        _session = session;
    }

    /// <summary>For work of the caller's own (sealed notes, lookups) in the same transaction.</summary>
    public NpgsqlConnection Connection => _connection;

    public NpgsqlTransaction Transaction => _transaction;

    /// <summary>The Marten session, for documents written with the events.</summary>
    public IDocumentSession Marten => _session;

    /// <summary>
    /// The stream folded into <typeparamref name="TState"/> by Marten's FetchForWriting (the aggregate registered with
    /// <see cref="EventStoreOptions.Aggregate{TState}"/>), read in this session's transaction. Takes no lock: the next
    /// append to the stream in this session must name the version returned, and Marten refuses it at save if another
    /// writer moved the stream meanwhile (<see cref="ConcurrencyException"/>), so a decision made on this state is
    /// stored only while the state is still current.
    /// </summary>
    public async Task<FetchedStream<TState>> FetchForWritingAsync<TState>(string streamId, CancellationToken cancellationToken = default)
        where TState : class
    {
        ThrowIfCompleted();
        ArgumentException.ThrowIfNullOrEmpty(streamId);
        if (_fetched.ContainsKey(streamId))
        {
            // A second state of one stream to decide on, while the append is checked against the first one's version.
            throw new InvalidOperationException($"Stream {streamId} is already fetched for writing in this session.");
        }

        var stream = await _session.Events.FetchForWriting<LiveAggregate<TState>>(streamId, cancellationToken).ConfigureAwait(false);
        _fetched[streamId] = stream;
        return new FetchedStream<TState>(streamId, stream.Aggregate?.State, stream.StartingVersion ?? 0);
    }

    /// <summary>
    /// Appends through Marten and saves at once (in our transaction, uncommitted), so a conflict surfaces here and the
    /// versions, positions and time are known. <paramref name="streamType"/> names the append's span.
    /// </summary>
    public async Task<AppendResult> AppendAsync(string streamId, string streamType, ExpectedVersion expected, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken = default) =>
        (await AppendManyAsync([new StreamAppend(streamId, streamType, expected, events)], cancellationToken).ConfigureAwait(false))[0];

    /// <summary>
    /// Appends to several streams in one save (one round trip for Marten's statements and the inline projections'), as
    /// a group commit of independent requests does. All or nothing: one conflict fails the whole save, and the session.
    /// </summary>
    public async Task<AppendResult[]> AppendManyAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        if (appends.Count == 0)
        {
            throw new ArgumentException("Nothing to append.", nameof(appends));
        }

        foreach (var append in appends)
        {
            if (append.Events.Count == 0)
            {
                throw new ArgumentException("An append needs at least one event.", nameof(appends));
            }

            if (append.StreamId.Length == 0 || append.StreamId.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException("A stream id must be non-empty and hold no line breaks.", nameof(appends));
            }

            if (append.Expected == ExpectedVersion.Any && _fetched.ContainsKey(append.StreamId))
            {
                // Fetched to decide on its state: appending whatever the version would store a decision on a stale one.
                throw new ArgumentException($"Stream {append.StreamId} was fetched for writing; append at the version fetched.", nameof(appends));
            }
        }

        // The name is built only when someone listens: off, an append pays for one check.
        using var activity = EventStoreTelemetry.Source.HasListeners()
            ? EventStoreTelemetry.Source.StartActivity(appends.Count == 1 ? $"append {appends[0].StreamType}" : $"append {appends.Count} streams", ActivityKind.Internal)
            : null;
        activity?.SetTag("db.system", "postgresql");
        activity?.SetTag("spasm.eventstore.schema", _store.Schema);
        activity?.SetTag("spasm.eventstore.stream_id", appends.Count == 1 ? appends[0].StreamId : null);
        activity?.SetTag("spasm.eventstore.event_count", appends.Sum(a => a.Events.Count));
        var started = Stopwatch.GetTimestamp();

        // Microseconds: what PostgreSQL keeps, so the time reported equals the time read back (and hashed).
        var now = DateTimeOffset.UtcNow;
        var recordedAt = now.AddTicks(-(now.Ticks % 10));
        var built = new IEvent[appends.Count][];

        // Streams appended without an expected version are locked first, in one order, so two batches that share
        // streams queue instead of deadlocking.
        var current = await LockStreamsAsync(
            [.. appends.Where(a => a.Expected.Value == -2).Select(a => a.StreamId).Distinct().Order(StringComparer.Ordinal)], cancellationToken).ConfigureAwait(false);

        for (var a = 0; a < appends.Count; a++)
        {
            var append = appends[a];
            built[a] = new IEvent[append.Events.Count];
            for (var i = 0; i < append.Events.Count; i++)
            {
                CheckType(append.Events[i]);
                built[a][i] = MartenEvents.Build(_session, append.Events[i], recordedAt);
            }

            if (_fetched.TryGetValue(append.StreamId, out var fetched))
            {
                // On Marten's handle, which keeps the version it read: Marten checks that version at save. Marten reads
                // the version and the events in two statements, so a state can include an event committed between them;
                // an append naming that newer version is refused here, which is safe (the caller reads again).
                var at = fetched.CurrentVersion ?? 0;
                if (append.Expected.Value != at && !(append.Expected == ExpectedVersion.NoStream && at == 0))
                {
                    activity?.SetStatus(ActivityStatusCode.Error, "concurrency conflict");
                    _completed = true;
                    throw new ConcurrencyException(append.StreamId, append.Expected, $"Stream {append.StreamId} was fetched at version {at}, not {append.Expected}.");
                }

                fetched.AppendMany(built[a]);
                continue;
            }

            switch (append.Expected.Value)
            {
                case -2:
                    // Marten's quick append without an expected version numbers the events in SQL, after inline
                    // projections ran with version 0. So the stream is locked and read first: the row lock queues this
                    // behind any writer of the stream, the advisory lock behind a writer still creating it, and the
                    // append then names its version, which can no longer be taken. Not Marten's
                    // FetchForExclusiveWriting: it locks only a row that exists (two creators would both find none and
                    // one would fail) and reads and aggregates the whole stream to learn its version.
                    var version = current[append.StreamId];
                    if (version == 0)
                    {
                        _session.Events.StartStream(append.StreamId, built[a]);
                    }
                    else
                    {
                        _session.Events.Append(append.StreamId, version + append.Events.Count, built[a]);
                    }

                    current[append.StreamId] = version + append.Events.Count;
                    break;
                case -1 or 0:
                    _session.Events.StartStream(append.StreamId, built[a]);
                    break;
                default:
                    // Marten's expected version is the stream's version after the append.
                    _session.Events.Append(append.StreamId, append.Expected.Value + append.Events.Count, built[a]);
                    break;
            }
        }

        try
        {
            await _session.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EventStreamUnexpectedMaxEventIdException or global::Marten.Exceptions.ExistingStreamIdCollisionException or global::JasperFx.Events.ExistingStreamIdCollisionException)
        {
            activity?.SetStatus(ActivityStatusCode.Error, "concurrency conflict");
            _completed = true;
            var (streamId, expected) = Conflicting(appends, ex);
            throw new ConcurrencyException(streamId, expected, $"Stream {streamId} is not at version {expected}: {ex.Message}");
        }
        catch (Exception ex) when (FindPostgres(ex) is { SqlState: PostgresErrorCodes.UniqueViolation } pg)
        {
            _completed = true;
            var (streamId, expected) = Conflicting(appends, ex);
            if (pg.ConstraintName == Schema.EventStoreSchema.EventIdConstraint)
            {
                activity?.SetStatus(ActivityStatusCode.Error, "event id conflict");
                throw new EventIdConflictException(streamId, $"An event id of this append is already stored: {pg.MessageText}");
            }

            // Two writers raced to start the same stream, or to the same version without naming one.
            activity?.SetStatus(ActivityStatusCode.Error, "concurrency conflict");
            throw new ConcurrencyException(streamId, expected, $"Stream {streamId} was written concurrently: {pg.MessageText}");
        }

        // Saved: Marten's handles are spent, and a later append to these streams names its version as any other.
        foreach (var append in appends)
        {
            _fetched.Remove(append.StreamId);
        }

        var results = new AppendResult[appends.Count];
        for (var a = 0; a < appends.Count; a++)
        {
            var positions = new long[built[a].Length];
            for (var i = 0; i < built[a].Length; i++)
            {
                positions[i] = built[a][i].Sequence;
            }

            results[a] = new AppendResult(built[a][^1].Version, positions, Duplicate: false, recordedAt);
        }

        activity?.SetTag("spasm.eventstore.stream_version", appends.Count == 1 ? results[0].NewVersion : null);
        EventStoreTelemetry.AppendDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("spasm.eventstore.schema", _store.Schema));
        return results;
    }

    /// <summary>
    /// Records that <paramref name="consumer"/> handled <paramref name="messageId"/>. False means it already had:
    /// the caller must skip its effects (they committed with the earlier mark).
    /// </summary>
    public async Task<bool> TryMarkProcessedAsync(string consumer, Guid messageId, CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        await using var command = new NpgsqlCommand(
            $"INSERT INTO {_store.Schema}.inbox (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", _connection, _transaction);
        command.Parameters.AddWithValue(consumer);
        command.Parameters.AddWithValue(messageId);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Queues an integration message; it is written at commit, in the same transaction. The current activity's W3C
    /// context goes into its headers, so the relay publishes it within the trace that caused it.
    /// </summary>
    public void Publish(OutboxMessage message)
    {
        ThrowIfCompleted();
        _outbox.Add(message with { Headers = EventStoreTelemetry.WithTraceContext(message.Headers) });
    }

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        // Documents stored on the Marten session since the last append go in too.
        await _session.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (_outbox.Count > 0)
        {
            await using var batch = new NpgsqlBatch(_connection, _transaction);
            foreach (var message in _outbox)
            {
                var insert = new NpgsqlBatchCommand(
                    $"INSERT INTO {_store.Schema}.outbox (message_id, stream_id, message_type, body, headers) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (message_id) DO NOTHING");
                insert.Parameters.AddWithValue(message.MessageId);
                insert.Parameters.AddWithValue((object?)message.StreamId ?? DBNull.Value);
                insert.Parameters.AddWithValue(message.MessageType);
                insert.Parameters.Add(new NpgsqlParameter { Value = message.BodyJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
                insert.Parameters.Add(new NpgsqlParameter { Value = EventJson.Serialize(message.Headers ?? new Dictionary<string, string>()), NpgsqlDbType = NpgsqlDbType.Jsonb });
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await _transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
        if (_outbox.Count > 0)
        {
            _store.OutboxSignal.Signal();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // An uncommitted session rolls back: nothing half-written survives.
        _session.Dispose();
        await _transaction.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private void CheckType(NewEvent newEvent)
    {
        var registered = _store.Options.Types.TypeOf(newEvent.EventType)
            ?? throw new ArgumentException($"Event type '{newEvent.EventType}' is not registered.", nameof(newEvent));
        if (!registered.IsInstanceOfType(newEvent.Data))
        {
            throw new ArgumentException($"Event type '{newEvent.EventType}' is {registered.Name}, not {newEvent.Data.GetType().Name}.", nameof(newEvent));
        }
    }

    private async Task<Dictionary<string, long>> LockStreamsAsync(IReadOnlyList<string> streamIds, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        if (streamIds.Count == 0)
        {
            return versions;
        }

        // One round trip, two statements per stream: each read takes its snapshot after its advisory lock is granted
        // (statements of a batch run in turn), or a writer that created the stream while this one waited would stay
        // invisible to it.
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        foreach (var streamId in streamIds)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtext($1))") { Parameters = { new() { Value = $"{_store.Schema}.{streamId}" } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT coalesce((SELECT s.version FROM {_store.Schema}.mt_streams s WHERE s.id = $1 FOR UPDATE), 0)")
            {
                Parameters = { new() { Value = streamId } },
            });
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        foreach (var streamId in streamIds)
        {
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            versions[streamId] = reader.GetInt64(0);
            await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        }

        return versions;
    }

    /// <summary>The append a conflict names, where Marten's exception or PostgreSQL's message says which stream it was.</summary>
    private static (string StreamId, ExpectedVersion Expected) Conflicting(IReadOnlyList<StreamAppend> appends, Exception ex)
    {
        if (appends.Count == 1)
        {
            return (appends[0].StreamId, appends[0].Expected);
        }

        var text = ex.ToString();
        var named = appends.FirstOrDefault(a => text.Contains(a.StreamId, StringComparison.Ordinal));
        return named is null ? (string.Join(", ", appends.Select(a => a.StreamId)), ExpectedVersion.Any) : (named.StreamId, named.Expected);
    }

    private static PostgresException? FindPostgres(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is PostgresException pg)
            {
                return pg;
            }
        }

        return null;
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The session is committed or failed; open a new one.");
        }
    }
}
