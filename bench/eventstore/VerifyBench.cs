using System.Diagnostics;
using Npgsql;
using SpasmPlatform.EventStore.Integrity;

namespace SpasmPlatform.Bench.EventStore;

public sealed record VerifyReport(long Events, long Streams, IReadOnlyList<double> VerifySeconds, IReadOnlyList<double> ReadOnlySeconds, double ServerSeconds, double HashMicroseconds, WindowStats Window)
{
    public double EventsPerSecond => Events / VerifySeconds.Min();

    public double MedianEventsPerSecond => Events / Stats.Median(VerifySeconds);

    public double ReadOnlyEventsPerSecond => Events / ReadOnlySeconds.Min();
}

/// <summary>
/// <see cref="IntegrityVerifier.VerifyAsync"/> over the whole schema (every event the append runs wrote, the store's and
/// the raw writers', whose rows the chain trigger hashed alike), which must report it intact. Beside it, where its time
/// can go: the server producing the verifier's rows (EXPLAIN ANALYZE), one reader draining the same rows with no hashing
/// (the ceiling for any verifier that streams through one connection), and the hash of one event on one core.
/// </summary>
public sealed class VerifyBench(NpgsqlDataSource dataSource, string schema, Probe probe, int repeats)
{
    // IntegrityVerifier's statement for the whole schema.
    private string Rows =>
        $"SELECT e.stream_id, e.version, e.id, e.type, e.data, jsonb_strip_nulls(e.headers), e.causation_id, e.correlation_id, e.user_name, " +
        $"e.timestamp, c.previous_hash, c.hash FROM {schema}.mt_events e LEFT JOIN {schema}.event_chain c ON c.seq_id = e.seq_id " +
        $"WHERE e.stream_id <> '{IntegrityVerifier.TombstoneStream}' ORDER BY e.stream_id, e.version";

    public async Task<VerifyReport> RunAsync(Action<string> log)
    {
        var verifier = new IntegrityVerifier(dataSource, schema);
        var verify = new List<double>();
        var readOnly = new List<double>();
        long events = 0, streams = 0;
        // Its own pool (see Program): one physical connection serves every pass, so its backend's CPU can be read.
        await (await dataSource.OpenConnectionAsync().ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        var pids = await probe.BackendPidsAsync().ConfigureAwait(false);
        var before = await probe.SnapshotAsync(pids).ConfigureAwait(false);
        for (var i = 0; i < repeats; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var report = await verifier.VerifyAsync().ConfigureAwait(false);
            verify.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (!report.Intact)
            {
                throw new InvalidOperationException($"the schema is not intact: {string.Join("; ", report.Breaks.Take(5))}");
            }

            events = report.EventsChecked;
            log($"verify {i + 1}/{repeats}: {events:N0} events in {verify[^1]:F2} s = {events / verify[^1]:N0} events/s, intact");
        }

        var after = await probe.SnapshotAsync(pids).ConfigureAwait(false);
        for (var i = 0; i < repeats; i++)
        {
            var start = Stopwatch.GetTimestamp();
            (var read, streams) = await DrainAsync().ConfigureAwait(false);
            readOnly.Add(Stopwatch.GetElapsedTime(start).TotalSeconds);
            if (read != events)
            {
                throw new InvalidOperationException($"the verifier checked {events} events, the reader drained {read}");
            }
        }

        var server = await ServerSecondsAsync().ConfigureAwait(false);
        var hash = HashMicroseconds();
        log($"verify: read alone {events / readOnly.Min():N0} events/s; server {server:F2} s; one hash {hash:F2} µs");
        return new VerifyReport(events, streams, verify, readOnly, server, hash, probe.Between(before, after));
    }

    /// <summary>Every row read as the verifier reads it (the same cursor, pages and column types), nothing hashed.</summary>
    private async Task<(long Events, long Streams)> DrainAsync()
    {
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead).ConfigureAwait(false);
        await using (var declare = new NpgsqlCommand($"DECLARE drain NO SCROLL CURSOR FOR {Rows}", connection, transaction))
        {
            await declare.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using var fetch = new NpgsqlCommand("FETCH FORWARD 10000 FROM drain", connection, transaction);
        long events = 0, streams = 0;
        string? current = null;
        int read;
        do
        {
            read = 0;
            await using var reader = await fetch.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                read++;
                var stream = reader.GetString(0);
                if (stream != current)
                {
                    current = stream;
                    streams++;
                }

                _ = (reader.GetInt64(1), reader.GetGuid(2), reader.GetString(3), reader.GetFieldValue<byte[]>(4), Text(reader, 5), Text(reader, 6), Text(reader, 7), Text(reader, 8),
                    reader.GetFieldValue<DateTimeOffset>(9), reader.IsDBNull(10) ? null : reader.GetFieldValue<byte[]>(10), reader.GetFieldValue<byte[]>(11));

                events++;
            }
        }
        while (read == 10000);

        return (events, streams);
    }

    private static string? Text(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private async Task<double> ServerSecondsAsync()
    {
        // Planned as the verifier's cursor is: for a fast start (cursors get no parallel workers).
        await using var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using (var set = new NpgsqlCommand("SET max_parallel_workers_per_gather = 0; SET enable_sort = off", connection))
        {
            await set.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await using var command = new NpgsqlCommand($"EXPLAIN (ANALYZE, TIMING OFF) {Rows}", connection);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            lines.Add(reader.GetString(0));
        }

        var execution = lines.First(l => l.StartsWith("Execution Time:", StringComparison.Ordinal));
        return double.Parse(execution.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture) / 1000;
    }

    /// <summary>HashChain.MetadataText and Compute of a typical event, on one core: a worker's work per event.</summary>
    private static double HashMicroseconds()
    {
        var data = SpasmPlatform.EventStore.Serialization.EventJson.Serialize(new PayloadFactory(1).NewData(Guid.NewGuid(), 1));
        var headers = "{\"source\": \"assessment-api\", \"tenant\": \"tenant-0042\", \"traceparent\": \"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\"}";
        var previous = new byte[32];
        const int N = 200_000;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < N; i++)
        {
            var metadata = HashChain.MetadataText(headers, "0af7651916cd43dd8448eb211c80319c", "0af7651916cd43dd8448eb211c80319c", "clinician:u-000001");
            previous = HashChain.Compute("b061500-ours-w8-b100-r1-3-7", i + 1, Guid.Empty, PayloadFactory.EventType, DateTimeOffset.UnixEpoch, data, metadata, previous);
        }

        return Stopwatch.GetElapsedTime(start).TotalMicroseconds / N;
    }
}
