using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// The one worker of one projection: a connection holding the projection's advisory lock, on which every read and every
/// batch transaction runs. If that connection dies the lock goes with it and so does the ability to commit, so an
/// instance that lost its lock can never apply a batch alongside the instance that took over.
/// </summary>
/// <remarks>
/// Which events are safe to apply. Positions come from an identity sequence, which is not transactional: a
/// transaction that commits late exposes a position below ones already visible, and a rolled-back one leaves a hole
/// forever. A visible row is committed, so a run of consecutive visible positions after the checkpoint is always
/// safe. A missing position is either still held by a running transaction or never coming, and is passed only once a
/// <see cref="VisibilityFence"/> proves that every transaction that could hold it has ended.
/// Filtering on tx_id &lt; pg_snapshot_xmin alone is not enough: a transaction can take its xid before another one and
/// its position after it (a session that appends twice, or one that waited on a stream lock), so rows below xmin can
/// sit above a position that a running transaction still holds.
/// </remarks>
internal sealed class ProjectionRunner : IAsyncDisposable
{
    private readonly PostgresEventStore _store;
    private readonly IAsyncProjection _projection;
    private readonly NpgsqlConnection _connection;
    private readonly long _lockKey;
    private readonly int _batchSize;
    private VisibilityFence? _fence;

    private ProjectionRunner(PostgresEventStore store, IAsyncProjection projection, NpgsqlConnection connection, long lockKey, int batchSize)
    {
        _store = store;
        _projection = projection;
        _connection = connection;
        _lockKey = lockKey;
        _batchSize = batchSize;
    }

    /// <summary>The last position applied, as committed together with the read model.</summary>
    public long Checkpoint { get; private set; }

    /// <summary>The first missing position the last step stopped at, if it had to stop.</summary>
    public long? WaitingFor { get; private set; }

    private string Schema => _store.Schema;

    /// <summary>Takes the projection's lock and loads its checkpoint; null when another session holds the lock.</summary>
    public static async Task<ProjectionRunner?> TryAcquireAsync(PostgresEventStore store, IAsyncProjection projection, int batchSize, CancellationToken cancellationToken)
    {
        var lockKey = LockKey(store.Schema, projection.Name);
        var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        ProjectionRunner? runner = null;
        var acquired = false;
        try
        {
            await using (var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection))
            {
                command.Parameters.AddWithValue(lockKey);
                if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true)
                {
                    return null;
                }
            }

            runner = new ProjectionRunner(store, projection, connection, lockKey, batchSize);
            await ProjectionSchema.EnsureAsync(connection, store.Schema, cancellationToken).ConfigureAwait(false);
            runner.Checkpoint = await runner.LoadCheckpointAsync(cancellationToken).ConfigureAwait(false);
            acquired = true;
            return runner;
        }
        finally
        {
            if (!acquired)
            {
                if (runner is not null)
                {
                    await runner.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Carries out a requested reset, or applies the next batch of safe events and decides what the projection is
    /// waiting for; finishes a rebuild in progress once its target is reached.
    /// </summary>
    public async Task<StepResult> StepAsync(CancellationToken cancellationToken)
    {
        var (rebuild, xmin, events) = await ReadAfterCheckpointAsync(cancellationToken).ConfigureAwait(false);
        if (rebuild is { IsReset: false })
        {
            await ResetAsync(cancellationToken).ConfigureAwait(false);
            WaitingFor = null;
            return new StepResult(0, LookAgainNow: true, WaitingFor: null, ReadModelReset: true, RebuildInProgress: true);
        }

        var safe = new List<StoredEvent>(events.Count);
        var expected = Checkpoint + 1;
        long? waitingFor = null;
        long gapEnd = 0;
        foreach (var stored in events)
        {
            if (stored.GlobalPosition != expected && !CanPass(stored.GlobalPosition - 1, xmin))
            {
                waitingFor = expected;
                gapEnd = stored.GlobalPosition - 1;
                break;
            }

            safe.Add(stored);
            expected = stored.GlobalPosition + 1;
        }

        if (safe.Count > 0)
        {
            await ApplyAsync(safe, cancellationToken).ConfigureAwait(false);
        }

        // A fence that already covers the gap is only waiting for xmin; raising a new one would push its xid further away.
        var raised = false;
        if (waitingFor is not null && _fence?.Covers(gapEnd) != true)
        {
            _fence = await RaiseFenceAsync(cancellationToken).ConfigureAwait(false);
            raised = true;
        }

        var rebuilding = rebuild is not null && !(Checkpoint >= rebuild.Target && await FinishRebuildAsync(cancellationToken).ConfigureAwait(false));
        WaitingFor = waitingFor;
        return new StepResult(safe.Count, safe.Count == _batchSize || raised, waitingFor, ReadModelReset: false, rebuilding);
    }

    /// <summary>
    /// Asks for a rebuild of <paramref name="projectionName"/>: whichever instance holds its lock carries it out.
    /// A request or rebuild already pending is joined rather than restarted.
    /// </summary>
    public static async Task RequestRebuildAsync(PostgresEventStore store, string projectionName, CancellationToken cancellationToken)
    {
        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ProjectionSchema.EnsureAsync(connection, store.Schema, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"INSERT INTO {store.Schema}.projection_rebuilds (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", connection);
        command.Parameters.AddWithValue(projectionName);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<bool> IsRebuildPendingAsync(PostgresEventStore store, string projectionName, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {store.Schema}.projection_rebuilds WHERE name = $1)");
        command.Parameters.AddWithValue(projectionName);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Closing would return the connection to the pool still holding the session lock; release it explicitly.
            if (_connection.State == System.Data.ConnectionState.Open)
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection);
                command.Parameters.AddWithValue(_lockKey);
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
            // A broken connection is discarded rather than pooled, and the server dropped the lock with the session.
        }
        finally
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A 64-bit key: hashtext's 32 bits would let two projections collide and starve one of them for ever.</summary>
    internal static long LockKey(string schema, string projectionName) =>
        BinaryPrimitives.ReadInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes($"spasm-projection:{schema}:{projectionName}")));

    private bool CanPass(long gapEnd, ulong xmin) => _fence is { } fence && fence.Covers(gapEnd) && fence.IsPassedBy(xmin);

    private async Task<long> LoadCheckpointAsync(CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(_connection);
        var insert = new NpgsqlBatchCommand($"INSERT INTO {Schema}.projection_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING");
        insert.Parameters.AddWithValue(_projection.Name);
        var select = new NpgsqlBatchCommand($"SELECT position FROM {Schema}.projection_checkpoints WHERE name = $1");
        select.Parameters.AddWithValue(_projection.Name);
        batch.BatchCommands.Add(insert);
        batch.BatchCommands.Add(select);
        return (long)(await batch.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>
    /// One round trip: the rebuild row, then xmin, then the events. xmin is read before the events (each statement
    /// takes a fresh snapshot): when xmin shows a gap's holders have ended, the later read already sees whatever they
    /// committed, so a gap that is still there is one for good.
    /// </summary>
    private async Task<(RebuildState? Rebuild, ulong Xmin, List<StoredEvent> Events)> ReadAfterCheckpointAsync(CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(_connection);
        var rebuild = new NpgsqlBatchCommand($"SELECT reset_at IS NOT NULL, coalesce(target, 0) FROM {Schema}.projection_rebuilds WHERE name = $1");
        rebuild.Parameters.AddWithValue(_projection.Name);
        batch.BatchCommands.Add(rebuild);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())"));
        var read = new NpgsqlBatchCommand(
            $"SELECT {PostgresEventStore.EventColumns} FROM {Schema}.events WHERE global_position > $1 ORDER BY global_position LIMIT $2");
        read.Parameters.AddWithValue(Checkpoint);
        read.Parameters.AddWithValue(_batchSize);
        batch.BatchCommands.Add(read);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        RebuildState? state = null;
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            state = new RebuildState(reader.GetBoolean(0), reader.GetInt64(1));
        }

        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var xmin = reader.GetFieldValue<ulong>(0);
        await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(_store.ToStoredEvent(reader));
        }

        return (state, xmin, events);
    }

    /// <summary>
    /// Clears the read model, rewinds the checkpoint and fixes the rebuild's target (the head now), all in one
    /// transaction: a rebuild is either not started or started with an empty read model, never half-reset.
    /// </summary>
    private async Task ResetAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await _projection.ResetAsync(_connection, transaction, cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(_connection, transaction))
        {
            var rewind = new NpgsqlBatchCommand($"UPDATE {Schema}.projection_checkpoints SET position = 0, updated_at = clock_timestamp() WHERE name = $1");
            rewind.Parameters.AddWithValue(_projection.Name);
            var start = new NpgsqlBatchCommand(
                $"UPDATE {Schema}.projection_rebuilds SET reset_at = clock_timestamp(), target = (SELECT coalesce(max(global_position), 0) FROM {Schema}.events) WHERE name = $1");
            start.Parameters.AddWithValue(_projection.Name);
            batch.BatchCommands.Add(rewind);
            batch.BatchCommands.Add(start);
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Checkpoint = 0;
    }

    /// <summary>Deletes the rebuild row only if it is still the rebuild that reached its target, not a newer request.</summary>
    private async Task<bool> FinishRebuildAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"DELETE FROM {Schema}.projection_rebuilds WHERE name = $1 AND reset_at IS NOT NULL AND target <= $2", _connection);
        command.Parameters.AddWithValue(_projection.Name);
        command.Parameters.AddWithValue(Checkpoint);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// The read model and the checkpoint commit together: a batch takes effect exactly once. The checkpoint only moves
    /// from the value this runner loaded, so even a runner that somehow lost its lock cannot apply a batch twice.
    /// </summary>
    private async Task ApplyAsync(List<StoredEvent> events, CancellationToken cancellationToken)
    {
        var last = events[^1].GlobalPosition;
        await using var transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await _projection.ApplyAsync(_connection, transaction, events, cancellationToken).ConfigureAwait(false);
        await using (var advance = new NpgsqlCommand(
            $"UPDATE {Schema}.projection_checkpoints SET position = $2, updated_at = clock_timestamp() WHERE name = $1 AND position = $3", _connection, transaction))
        {
            advance.Parameters.AddWithValue(_projection.Name);
            advance.Parameters.AddWithValue(last);
            advance.Parameters.AddWithValue(Checkpoint);
            if (await advance.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) != 1)
            {
                throw new InvalidOperationException(
                    $"The checkpoint of projection '{_projection.Name}' is no longer at {Checkpoint}: another runner moved it. The batch was rolled back.");
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        Checkpoint = last;
    }

    /// <summary>
    /// One statement: its snapshot (taken before it runs) gives the highest visible position, and pg_current_xact_id()
    /// then hands this statement a brand-new xid, later than the xid of anyone holding a position up to that one.
    /// The statement commits on its own at once, so the fence xid itself never holds xmin back.
    /// </summary>
    private async Task<VisibilityFence> RaiseFenceAsync(CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT coalesce(max(global_position), 0), pg_current_xact_id() FROM {Schema}.events", _connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new VisibilityFence(reader.GetInt64(0), reader.GetFieldValue<ulong>(1));
    }
}
