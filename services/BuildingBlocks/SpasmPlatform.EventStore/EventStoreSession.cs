using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using SpasmPlatform.EventStore.Diagnostics;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

/// <summary>
/// One transaction. Appends (with their inline projections), inbox marks and outbox messages all commit together,
/// so a consumer's effects and the record that it handled a message can never disagree.
/// </summary>
public sealed class EventStoreSession : IAsyncDisposable
{
    /// <summary>The name PostgreSQL gave the UNIQUE on events.event_id (see EventStoreSchema).</summary>
    private const string EventIdConstraint = "events_event_id_key";

    private readonly PostgresEventStore _store;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly List<OutboxMessage> _outbox = [];
    private bool _completed;

    internal EventStoreSession(PostgresEventStore store, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _store = store;
        _connection = connection;
        _transaction = transaction;
    }

    /// <summary>For inline work of the caller's own (read models, documents) in the same transaction.</summary>
    public NpgsqlConnection Connection => _connection;

    public NpgsqlTransaction Transaction => _transaction;

    public async Task<AppendResult> AppendAsync(string streamId, string streamType, ExpectedVersion expected, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken = default)
    {
        ThrowIfCompleted();
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        if (streamId.Length == 0 || streamId.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A stream id must be non-empty and hold no line breaks.", nameof(streamId));
        }

        var schema = _store.Schema;
        // The name is built only when someone listens: off, an append pays for one check.
        using var activity = EventStoreTelemetry.Source.HasListeners() ? EventStoreTelemetry.Source.StartActivity($"append {streamType}", ActivityKind.Internal) : null;
        activity?.SetTag("db.system", "postgresql");
        activity?.SetTag("spasm.eventstore.schema", schema);
        activity?.SetTag("spasm.eventstore.stream_id", streamId);
        activity?.SetTag("spasm.eventstore.event_count", events.Count);
        var started = Stopwatch.GetTimestamp();
        await using var command = new NpgsqlCommand($"SELECT new_version, positions, duplicate, recorded_at FROM {schema}.append_events($1, $2, $3, $4, $5, $6, $7, $8)", _connection, _transaction);
        command.Parameters.AddWithValue(streamId);
        command.Parameters.AddWithValue(streamType);
        command.Parameters.AddWithValue(expected.Value);
        command.Parameters.AddWithValue(events.Select(e => e.EventId).ToArray());
        command.Parameters.AddWithValue(events.Select(e => e.EventType).ToArray());
        command.Parameters.AddWithValue(events.Select(e => e.SchemaVersion).ToArray());
        command.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => e.DataJson).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = events.Select(e => EventJson.SerializeMetadata(AmbientCaller.Stamp(e.Metadata))).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });

        AppendResult result;
        try
        {
            // Prepared, and so kept on the pooled physical connection: besides sparing the parse, a connection holding a
            // prepared statement is reset without DISCARD ALL when it goes back to the pool (Npgsql), and DISCARD ALL
            // would throw away append_events' cached plans, re-planning every statement of the function on every append.
            // After the first append on a connection this is a lookup, not a round trip.
            await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            result = new AppendResult(reader.GetInt64(0), reader.GetFieldValue<long[]>(1), reader.GetBoolean(2), reader.GetFieldValue<DateTimeOffset>(3));
        }
        catch (PostgresException ex) when (ex.SqlState == "SP001")
        {
            activity?.SetStatus(ActivityStatusCode.Error, "concurrency conflict");
            _completed = true;
            throw new ConcurrencyException(streamId, expected, ex.MessageText);
        }
        catch (PostgresException ex) when (ex.SqlState == "SP002")
        {
            activity?.SetStatus(ActivityStatusCode.Error, "event id conflict");
            _completed = true;
            throw new EventIdConflictException(streamId, ex.MessageText);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == EventIdConstraint)
        {
            // append_events only looks ids up where a stored one can be a retry; elsewhere the index is the check.
            _completed = true;
            throw new EventIdConflictException(streamId, $"An event id of this append is already stored: {ex.MessageText}");
        }

        if (!result.Duplicate && _store.Options.InlineProjections.Count > 0)
        {
            var stored = events.Select((e, i) => new StoredEvent(
                result.Positions[i], streamId, result.NewVersion - events.Count + 1 + i, e.EventId, e.EventType, e.SchemaVersion, e.DataJson, e.Metadata, result.RecordedAt)).ToList();
            foreach (var projection in _store.Options.InlineProjections)
            {
                await projection.ApplyAsync(_connection, _transaction, stored, cancellationToken).ConfigureAwait(false);
            }
        }

        activity?.SetTag("spasm.eventstore.stream_version", result.NewVersion);
        activity?.SetTag("spasm.eventstore.duplicate", result.Duplicate);
        EventStoreTelemetry.AppendDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, new KeyValuePair<string, object?>("spasm.eventstore.schema", schema));
        return result;
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
    }

    public async ValueTask DisposeAsync()
    {
        // An uncommitted session rolls back: nothing half-written survives.
        await _transaction.DisposeAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The session is committed or failed; open a new one.");
        }
    }
}
