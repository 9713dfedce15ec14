using System.Diagnostics;
using System.Text.Json;
using Marten;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Serialization;

namespace SpasmPlatform.Bench.EventStore;

public sealed record ReadResult(string What, IReadOnlyList<double> Milliseconds)
{
    public double Best => Milliseconds.Min();

    public double Median => Stats.Median(Milliseconds);
}

public sealed record ReadReport(int Events, IReadOnlyList<ReadResult> Results, double ServerMs, string Plan, long ScoreSum);

/// <summary>
/// Reads one stream of N events (written beforehand through the store in appends of 100) and folds it: the sum of every
/// event's <see cref="AnswerRecorded.Score"/>. Timed through the store (<see cref="MartenEventStore.ReadStreamAsync"/>, which
/// is Marten's FetchStreamAsync plus our StoredEvent), through Marten alone, and through raw Npgsql (Marten's own
/// statement, data deserialized with the same options; then data alone): the ceiling. Every pass must give the same sum.
/// </summary>
public sealed class ReadBench(MartenEventStore store, NpgsqlDataSource dataSource, int events, int warmups, int repeats)
{
    // Marten's own statement for FetchStreamAsync (read from pg_stat_activity while it ran), so the raw reference asks
    // the server for exactly the same rows, columns and order.
    private const string MartenColumns =
        "data, type, mt_dotnet_type, bdata, seq_id, id, stream_id, version, timestamp, tenant_id, correlation_id, causation_id, headers, user_name, is_archived";

    private const string MartenFilter = "WHERE (d.is_archived = FALSE and d.stream_id = $1) ORDER BY d.seq_id";

    public async Task<ReadReport> RunAsync(string tag)
    {
        var stream = new WriterStream($"{tag}-read-{events}");
        var payloads = new PayloadFactory(4242);
        var appender = new OursAppender(store);
        while (stream.Version < events)
        {
            await appender.AppendAsync(stream, (int)Math.Min(100, events - stream.Version), payloads).ConfigureAwait(false);
        }

        var passes = new (string What, Func<Task<long>> Fold)[]
        {
            ("store: ReadStreamAsync + fold", async () => (await store.ReadStreamAsync(stream.Id).ConfigureAwait(false)).Sum(e => (long)e.Data<AnswerRecorded>().Score)),
            ("store: FetchForWritingAsync (Marten's live aggregation, as a decision loads)", () => FetchForWritingFoldAsync(stream.Id)),
            ("Marten alone: FetchStreamAsync + fold", () => MartenFoldAsync(stream.Id)),
            ("raw Npgsql: Marten's statement (15 columns), data deserialized + fold", () => RawFoldAsync(stream.Id, MartenColumns)),
            ("raw Npgsql: data only + fold", () => RawFoldAsync(stream.Id, "data")),
        };
        var times = passes.Select(_ => new List<double>()).ToArray();
        long expected = -1;
        for (var i = 0; i < warmups + repeats; i++)
        {
            for (var p = 0; p < passes.Length; p++)
            {
                var start = Stopwatch.GetTimestamp();
                var sum = await passes[p].Fold().ConfigureAwait(false);
                var ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                expected = expected < 0 ? sum : expected;
                if (sum != expected)
                {
                    throw new InvalidOperationException($"{passes[p].What}: sum {sum}, expected {expected}");
                }

                if (i >= warmups)
                {
                    times[p].Add(ms);
                }
            }
        }

        var (serverMs, plan) = await ExplainAsync(stream.Id).ConfigureAwait(false);
        return new ReadReport(events, [.. passes.Select((p, i) => new ReadResult(p.What, times[i]))], serverMs, plan, expected);
    }

    private async Task<long> FetchForWritingFoldAsync(string streamId)
    {
        // Opened, fetched and rolled back: what a decide-and-append path pays before it decides.
        await using var session = await store.OpenSessionAsync().ConfigureAwait(false);
        return (await session.FetchForWritingAsync<ScoreTotal>(streamId).ConfigureAwait(false)).State?.Sum ?? 0;
    }

    private async Task<long> MartenFoldAsync(string streamId)
    {
        await using var session = store.Marten.QuerySession();
        var all = await session.Events.FetchStreamAsync(streamId).ConfigureAwait(false);
        return all.Sum(e => (long)((AnswerRecorded)e.Data).Score);
    }

    private async Task<long> RawFoldAsync(string streamId, string columns)
    {
        await using var command = dataSource.CreateCommand($"SELECT {columns} FROM {store.Schema}.mt_events AS d {MartenFilter}");
        command.Parameters.AddWithValue(streamId);
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        long sum = 0;
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            sum += JsonSerializer.Deserialize<AnswerRecorded>(reader.GetString(0), EventJson.Options)!.Score;
            for (var c = 1; c < reader.FieldCount; c++)
            {
                // Read every other column as a client would, and keep nothing.
                _ = reader.IsDBNull(c) ? null : reader.GetValue(c);
            }
        }

        return sum;
    }

    /// <summary>EXPLAIN ANALYZE of Marten's statement: the server's share.</summary>
    private async Task<(double Ms, string Plan)> ExplainAsync(string streamId)
    {
        await using var command = dataSource.CreateCommand(
            $"EXPLAIN (ANALYZE, BUFFERS) SELECT {MartenColumns} FROM {store.Schema}.mt_events AS d {MartenFilter}");
        command.Parameters.AddWithValue(streamId);
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
}

/// <summary>The read benchmark's fold as a state a live aggregation builds: the sum of every score.</summary>
public sealed class ScoreTotal
{
    public long Sum { get; private init; }

    public static ScoreTotal Evolve(ScoreTotal? state, SpasmPlatform.EventStore.Streams.StoredEvent stored) =>
        new() { Sum = (state?.Sum ?? 0) + stored.Data<AnswerRecorded>().Score };
}
