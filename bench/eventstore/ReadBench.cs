using System.Diagnostics;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Bench.EventStore;

public sealed record ReadResult(
    string What,
    int Events,
    IReadOnlyList<double> Milliseconds)
{
    public double Best => Milliseconds.Min();

    public double Median => Stats.Median(Milliseconds);

    public double P90 => Stats.Percentile([.. Milliseconds.OrderBy(v => v)], 90);
}

public sealed record ReadReport(
    IReadOnlyList<ReadResult> Results,
    double SetupEventsPerSecond,
    double ServerExecutionMs,
    double ServerDataOnlyMs,
    string ServerPlan,
    long ScoreSum,
    double VerifyMs,
    bool Intact);

/// <summary>
/// Reads one stream of N events (written beforehand through the store in appends of 100) and folds it: every
/// event's data is deserialized into <see cref="AnswerRecorded"/> and its score summed. Timed end to end (query,
/// materializing <see cref="StoredEvent"/>s, fold) and by part, against a raw Npgsql reference that selects only
/// data::text and folds the same way.
/// </summary>
public sealed class ReadBench(MartenEventStore store, NpgsqlDataSource dataSource, string schema, int events, int warmups, int repeats)
{
    public async Task<ReadReport> RunAsync(string tag)
    {
        var streamId = $"{tag}-read-{events}";
        var stream = new WriterStream(streamId);
        var payloads = new PayloadFactory(4242);
        var appender = new OursAppender(store);
        var setup = Stopwatch.StartNew();
        while (stream.Version < events)
        {
            await appender.AppendAsync(stream, (int)Math.Min(100, events - stream.Version), payloads, CancellationToken.None).ConfigureAwait(false);
        }

        var setupRate = events / setup.Elapsed.TotalSeconds;

        var endToEnd = new List<double>();
        var queryOnly = new List<double>();
        var foldOnly = new List<double>();
        var raw = new List<double>();
        var rawAll = new List<double>();
        long expectedSum = -1;
        for (var i = 0; i < warmups + repeats; i++)
        {
            // The store: ReadStreamAsync, then the fold.
            var start = Stopwatch.GetTimestamp();
            var stored = await store.ReadStreamAsync(streamId).ConfigureAwait(false);
            var read = Stopwatch.GetTimestamp();
            var (count, sum) = Fold(stored);
            var end = Stopwatch.GetTimestamp();
            Check(count, events, "store read");
            expectedSum = expectedSum < 0 ? sum : expectedSum;
            Check(sum, expectedSum, "store fold sum");

            // References: the store's columns read straight into the fold (no StoredEvent, no metadata JSON parse),
            // then data::text alone.
            var rawAllStart = Stopwatch.GetTimestamp();
            var (rawAllCount, rawAllSum) = await RawReadAndFoldAsync(streamId, allColumns: true).ConfigureAwait(false);
            var rawStart = Stopwatch.GetTimestamp();
            var (rawCount, rawSum) = await RawReadAndFoldAsync(streamId, allColumns: false).ConfigureAwait(false);
            var rawEnd = Stopwatch.GetTimestamp();
            Check(rawAllCount, events, "raw read (all columns)");
            Check(rawAllSum, expectedSum, "raw fold sum (all columns)");
            Check(rawCount, events, "raw read");
            Check(rawSum, expectedSum, "raw fold sum");

            if (i >= warmups)
            {
                endToEnd.Add(Stopwatch.GetElapsedTime(start, end).TotalMilliseconds);
                queryOnly.Add(Stopwatch.GetElapsedTime(start, read).TotalMilliseconds);
                foldOnly.Add(Stopwatch.GetElapsedTime(read, end).TotalMilliseconds);
                rawAll.Add(Stopwatch.GetElapsedTime(rawAllStart, rawStart).TotalMilliseconds);
                raw.Add(Stopwatch.GetElapsedTime(rawStart, rawEnd).TotalMilliseconds);
            }
        }

        var (serverMs, plan) = await ExplainAsync(streamId, MartenEventStoreColumns).ConfigureAwait(false);
        var (serverDataOnlyMs, _) = await ExplainAsync(streamId, "data::text").ConfigureAwait(false);

        var verifier = new IntegrityVerifier(dataSource, schema);
        var verifyStart = Stopwatch.GetTimestamp();
        var report = await verifier.VerifyAsync(streamId).ConfigureAwait(false);
        var verifyMs = Stopwatch.GetElapsedTime(verifyStart).TotalMilliseconds;
        if (report.EventsChecked != events)
        {
            throw new InvalidOperationException($"integrity verifier checked {report.EventsChecked} events, expected {events}");
        }

        return new ReadReport(
            [
                new ReadResult("store: ReadStreamAsync + fold (end to end)", events, endToEnd),
                new ReadResult("  of which ReadStreamAsync (query + StoredEvent; data and metadata kept as UTF-8, parsed on use)", events, queryOnly),
                new ReadResult("  of which fold (deserialize data JSON, sum score)", events, foldOnly),
                new ReadResult("raw Npgsql: the store's 9 columns, no StoredEvent or metadata parse, + the same fold", events, rawAll),
                new ReadResult("raw Npgsql: SELECT data::text only + the same fold", events, raw),
            ],
            setupRate, serverMs, serverDataOnlyMs, plan, expectedSum, verifyMs, report.Intact);
    }

    private static (long Count, long Sum) Fold(IReadOnlyList<StoredEvent> stored)
    {
        long count = 0, sum = 0;
        foreach (var e in stored)
        {
            var answer = e.Data<AnswerRecorded>();
            sum += answer.Score;
            count++;
        }

        return (count, sum);
    }

    private async Task<(long Count, long Sum)> RawReadAndFoldAsync(string streamId, bool allColumns)
    {
        await using var command = dataSource.CreateCommand(allColumns
            ? $"SELECT {MartenEventStoreColumns} FROM {schema}.events WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3 ORDER BY stream_version"
            : $"SELECT data::text FROM {schema}.events WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3 ORDER BY stream_version");
        command.Parameters.AddWithValue(streamId);
        command.Parameters.AddWithValue(1L);
        command.Parameters.AddWithValue(long.MaxValue);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        long count = 0, sum = 0, versions = 0;
        var data = allColumns ? 6 : 0;
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            if (allColumns)
            {
                // Read every column as the store does, but keep nothing.
                versions += reader.GetInt64(0) + reader.GetString(1).Length + reader.GetInt64(2) + reader.GetGuid(3).GetHashCode()
                    + reader.GetString(4).Length + reader.GetInt32(5) + reader.GetString(7).Length + reader.GetFieldValue<DateTimeOffset>(8).Offset.Hours;
            }

            var answer = System.Text.Json.JsonSerializer.Deserialize<AnswerRecorded>(reader.GetString(data), EventJson.Options)!;
            sum += answer.Score;
            count++;
        }

        GC.KeepAlive(versions);
        return (count, sum);
    }

    /// <summary>EXPLAIN ANALYZE of the store's own read statement: the server's share of the time.</summary>
    private async Task<(double Ms, string Plan)> ExplainAsync(string streamId, string columns)
    {
        await using var command = dataSource.CreateCommand(
            $"EXPLAIN (ANALYZE, BUFFERS) SELECT {columns} FROM {schema}.events " +
            "WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3 ORDER BY stream_version");
        command.Parameters.AddWithValue(streamId);
        command.Parameters.AddWithValue(1L);
        command.Parameters.AddWithValue(long.MaxValue);
        var lines = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                lines.Add(reader.GetString(0));
            }
        }

        var execution = lines.FirstOrDefault(l => l.StartsWith("Execution Time:", StringComparison.Ordinal));
        var ms = execution is null ? double.NaN : double.Parse(execution.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        return (ms, string.Join('\n', lines));
    }

    // The column list MartenEventStore.ReadStreamAsync selects (MartenEventStore.EventColumns is internal).
    private const string MartenEventStoreColumns =
        "global_position, stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at";

    private static void Check(long actual, long expected, string what)
    {
        if (actual != expected)
        {
            throw new InvalidOperationException($"{what}: {actual}, expected {expected}");
        }
    }
}
