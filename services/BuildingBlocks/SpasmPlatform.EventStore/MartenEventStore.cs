using Marten;
using Marten.Services;
using Npgsql;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

/// <summary>
/// A service's event store: one Marten <see cref="DocumentStore"/> in the service's own schema, with our hash chain,
/// outbox and inbox beside Marten's tables. Thread-safe; one per service.
/// </summary>
public sealed partial class MartenEventStore : IEventStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly EventStoreOptions _options;
    private readonly DocumentStore _marten;
    private readonly EventTypeNames _names;
    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady;

    public MartenEventStore(NpgsqlDataSource dataSource, EventStoreOptions options)
    {
        options.Validate();
        _dataSource = dataSource;
        _options = options;
        _names = new EventTypeNames(options.Types);
        _marten = new DocumentStore(MartenSetup.Options(dataSource, options));
        OutboxSignal = new OutboxSignal(dataSource, options.Schema);
    }

    public string Schema => _options.Schema;

    /// <summary>Marten itself, for what our narrow interface does not cover (the projection daemon, documents).</summary>
    public IDocumentStore Marten => _marten;

    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>Wakes the outbox relays after a commit that wrote outbox rows.</summary>
    public OutboxSignal OutboxSignal { get; }

    internal EventStoreOptions Options => _options;

    internal EventTypeNames Names => _names;

    /// <summary>
    /// Migrates the schema once per store: the migrator, the outbox relay and the service's bootstrapper all ask, and
    /// only the first that succeeds does the work; a failed attempt leaves it to the next.
    /// </summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken = default)
    {
        if (_schemaReady)
        {
            return;
        }

        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                await SpasmPlatform.EventStore.Schema.EventStoreSchema.EnsureAsync(_marten, _dataSource, _options.Schema, [.. _options.Tables], cancellationToken).ConfigureAwait(false);
                _schemaReady = true;
            }
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    public async Task<EventStoreSession> OpenSessionAsync(CancellationToken cancellationToken = default)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // Marten's session rides on our transaction (and never commits it), so the read models, the inbox mark and
            // the outbox rows written on this connection commit with the events, or none of them does.
            var session = _marten.LightweightSession(SessionOptions.ForTransaction(transaction));
            return new EventStoreSession(this, connection, transaction, session);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<AppendResult> AppendAsync(string streamId, string streamType, ExpectedVersion expected, IReadOnlyList<NewEvent> events, IReadOnlyList<OutboxMessage>? outbox = null, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var session = await OpenSessionAsync(cancellationToken).ConfigureAwait(false);
            var result = await session.AppendAsync(streamId, streamType, expected, events, cancellationToken).ConfigureAwait(false);
            if (outbox is not null)
            {
                foreach (var message in outbox)
                {
                    session.Publish(message);
                }
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return result;
        }
        catch (Exception ex) when (ex is ConcurrencyException || (ex is EventIdConflictException && expected == ExpectedVersion.Any))
        {
            // Only where a retry can land: past the version it expected, or anywhere when it expected none. At the
            // exact version it expected, a stored id is a different append reusing it.
            // A retry of an append that committed (its reply was lost) is answered with what it stored.
            var stored = await StoredAppendAsync(streamId, events, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                throw;
            }

            return stored;
        }
    }

    /// <summary>When every event id of <paramref name="events"/> is stored in <paramref name="streamId"/>, that append.</summary>
    private async Task<AppendResult?> StoredAppendAsync(string streamId, IReadOnlyList<NewEvent> events, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(
            $"SELECT stream_id, version, seq_id, timestamp FROM {Schema}.mt_events WHERE id = ANY ($1) ORDER BY version");
        command.Parameters.AddWithValue(events.Select(e => e.EventId).ToArray());
        var versions = new List<(long Version, long Position, DateTimeOffset At)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (reader.GetString(0) != streamId)
            {
                return null;
            }

            versions.Add((reader.GetInt64(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return versions.Count == events.Count
            ? new AppendResult(versions[^1].Version, versions.Select(v => v.Position).ToArray(), Duplicate: true, versions[0].At)
            : null;
    }

    public ValueTask DisposeAsync()
    {
        _schemaLock.Dispose();
        return _marten.DisposeAsync();
    }
}
