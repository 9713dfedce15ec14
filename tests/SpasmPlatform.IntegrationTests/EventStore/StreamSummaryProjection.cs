using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// The example read model the asynchronous projection tests drive: per-stream event counts and last version/position
/// (wrong if events arrive out of order or twice), plus a log of every applied position in the order applied,
/// written in the same transaction so it records effects, not attempts.
/// </summary>
public sealed class StreamSummaryProjection(EventStoreOptions storeOptions) : IAsyncProjection
{
    public const string DefaultName = "stream-summary";

    private readonly string _schema = storeOptions.Schema;
    private long _eventsHandled;
    private long _batchesHandled;

    public string Name { get; init; } = DefaultName;

    /// <summary>Events passed to <see cref="ApplyAsync"/> by this instance, committed or not.</summary>
    public long EventsHandled => Interlocked.Read(ref _eventsHandled);

    /// <summary>
    /// Runs after the batch's rows are written and before the daemon commits: a test can throw here to prove the
    /// writes roll back with the checkpoint, or cancel a rebuild at a known point. Gets the 1-based batch number.
    /// </summary>
    public Func<long, CancellationToken, Task>? AfterWrite { get; set; }

    public static async Task CreateTablesAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand($"""
            CREATE TABLE {schema}.stream_summary (
                stream_id text PRIMARY KEY,
                event_count bigint NOT NULL,
                last_version bigint NOT NULL,
                last_position bigint NOT NULL);
            CREATE TABLE {schema}.summary_applied (
                ordinal bigint PRIMARY KEY,
                global_position bigint NOT NULL,
                stream_id text NOT NULL);
            """);
        await command.ExecuteNonQueryAsync();
    }

    public async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        var batch = Interlocked.Increment(ref _batchesHandled);
        Interlocked.Add(ref _eventsHandled, events.Count);

        await using (var log = new NpgsqlCommand($"""
            INSERT INTO {_schema}.summary_applied (ordinal, global_position, stream_id)
            SELECT (SELECT coalesce(max(ordinal), 0) FROM {_schema}.summary_applied) + u.i, u.p, u.s
            FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS u (p, s, i)
            """, connection, transaction))
        {
            log.Parameters.AddWithValue(events.Select(e => e.GlobalPosition).ToArray());
            log.Parameters.AddWithValue(events.Select(e => e.StreamId).ToArray());
            await log.ExecuteNonQueryAsync(cancellationToken);
        }

        // Last version and position are overwritten, not maximised: applying out of order leaves them wrong.
        var perStream = events.GroupBy(e => e.StreamId, StringComparer.Ordinal)
            .Select(g => (Stream: g.Key, Count: (long)g.Count(), Last: g.Last()))
            .ToList();
        await using (var upsert = new NpgsqlCommand($"""
            INSERT INTO {_schema}.stream_summary AS s (stream_id, event_count, last_version, last_position)
            SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
            ON CONFLICT (stream_id) DO UPDATE SET
                event_count = s.event_count + EXCLUDED.event_count,
                last_version = EXCLUDED.last_version,
                last_position = EXCLUDED.last_position
            """, connection, transaction))
        {
            upsert.Parameters.AddWithValue(perStream.Select(p => p.Stream).ToArray());
            upsert.Parameters.AddWithValue(perStream.Select(p => p.Count).ToArray());
            upsert.Parameters.AddWithValue(perStream.Select(p => p.Last.StreamVersion).ToArray());
            upsert.Parameters.AddWithValue(perStream.Select(p => p.Last.GlobalPosition).ToArray());
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        if (AfterWrite is { } hook)
        {
            await hook(batch, cancellationToken);
        }
    }

    public async Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {_schema}.stream_summary; DELETE FROM {_schema}.summary_applied", connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
