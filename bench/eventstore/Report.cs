using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using SpasmPlatform.EventStore.Serialization;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>Writes one run's report (markdown: tables, ratios to the ceiling, goal verdicts) and a TSV of every append run.</summary>
public sealed class Report(BenchOptions options, ServerInfo server, string schema, DateTimeOffset started)
{
    // The goals of the issue (2 cores, durable settings).
    public const double RatioGoal = 0.7;
    public const double ReadGoalMs = 50;
    public const double RelayGoal = 5_000;
    public const double VerifyGoal = 200_000;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public List<AppendRun> Appends { get; } = [];

    public ReadReport? Read { get; set; }

    public RelayReport? Relay { get; set; }

    public VerifyReport? Verify { get; set; }

    public string? CheckSummary { get; set; }

    public void Write()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Tsv))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(options.Results))!);
        File.WriteAllText(options.Tsv, Tsv());
        File.WriteAllText(options.Results, Markdown());
    }

    private string Tsv()
    {
        var sb = new StringBuilder("kind\twriters\tbatch\trepeat\tseconds\tappends\tevents\tevents_per_s\tp50_ms\tp99_ms\tcpu_bench\tcpu_backends\tcpu_other\twal_bytes\n");
        foreach (var r in Appends)
        {
            var w = r.Window;
            sb.AppendLine(string.Join('\t', r.Spec.Kind, I(r.Spec.Writers), I(r.Spec.Batch), I(r.Repeat), F(w.Seconds, 3), I(r.Appends), I(r.Events),
                F(r.EventsPerSecond, 1), F(r.P50Ms, 3), F(r.P99Ms, 3), F(w.BenchCores, 2), F(w.BackendCores, 2), F(w.OtherCores, 2), I(w.WalBytes)));
        }

        return sb.ToString();
    }

    private string Markdown()
    {
        var sb = new StringBuilder();
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : "?";
        var sample = new PayloadFactory(1);
        var dataBytes = Encoding.UTF8.GetByteCount(EventJson.Serialize(sample.NewData(Guid.NewGuid(), 7)));
        sb.AppendLine(Inv, $"# bench/eventstore run {started:yyyy-MM-dd HH:mm} UTC");
        sb.AppendLine();
        sb.AppendLine(Inv, $"Commit {options.Commit}, schema `{schema}` (fresh, dropped afterwards). Machine: {Environment.ProcessorCount} cores ({cpu}), {RuntimeInformation.OSDescription}; " +
            $".NET {Environment.Version}; Marten {typeof(Marten.DocumentStore).Assembly.GetName().Version}; Npgsql {typeof(Npgsql.NpgsqlConnection).Assembly.GetName().Version}; PostgreSQL {server.Version} on the same machine.");
        var durable = server.Durable ? "Durable: every COMMIT waits for its WAL flush." : "**NOT durable: these figures overstate a real deployment.**";
        sb.AppendLine(Inv, $"Server: {string.Join(", ", server.Settings.Select(s => $"`{s.Key}={s.Value}`"))}. {durable}");
        if (!string.IsNullOrEmpty(options.FsyncProbe))
        {
            sb.AppendLine(Inv, $"Disk (pg_test_fsync, one 8 kB write + fdatasync): {options.FsyncProbe}.");
        }

        sb.AppendLine(Inv, $"Event: `{PayloadFactory.EventType}`, {dataBytes} B of data JSON; correlation id, causation id, user name and 3 headers (tenant, traceparent, source).");
        sb.AppendLine();
        WriteAppends(sb);
        WriteVerify(sb);
        WriteRead(sb);
        WriteRelay(sb);
        WriteGoals(sb);
        return sb.ToString();
    }

    private void WriteAppends(StringBuilder sb)
    {
        if (Appends.Count == 0)
        {
            return;
        }

        sb.AppendLine("## Appends");
        sb.AppendLine();
        sb.AppendLine(Inv, $"W writers, each appending to {options.StreamsPerWriter} streams of its own (round robin, exact expected version); {options.WarmupSeconds:0.#} s warm-up, " +
            $"{options.DurationSeconds:0.#} s measured, {options.Repeats} repeats; kinds interleaved per cell, their order alternating per repeat. ");
        sb.AppendLine("Best = fastest repeat; median over repeats; latency and CPU from the best repeat. CPU in cores: this process / its PostgreSQL backends / the rest of the machine. " +
            "PG µs/event = backend cores ÷ events/s (median): the server's cost of an event, which outside load moves far less than throughput.");
        sb.AppendLine();
        sb.AppendLine("| writers | events/append | kind | events/s best | events/s median | appends/s median | p50 ms | p99 ms | CPU bench / PG / other | PG µs/event | WAL B/event |");
        sb.AppendLine("|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var (writers, batch) in Cells())
        {
            foreach (var kind in options.Kinds)
            {
                var runs = Runs(kind, writers, batch);
                var best = runs.MaxBy(r => r.EventsPerSecond)!;
                var w = best.Window;
                sb.AppendLine(Inv, $"| {writers} | {batch} | {kind} | {N(best.EventsPerSecond)} | {N(Median(runs, r => r.EventsPerSecond))} | {N(Median(runs, r => r.AppendsPerSecond))} | " +
                    $"{best.P50Ms:F2} | {best.P99Ms:F2} | {w.BenchCores:F2} / {w.BackendCores:F2} / {w.OtherCores:F2} | " +
                    $"{Median(runs, r => r.Window.BackendCores * 1e6 / r.EventsPerSecond):F0} | {(best.Events == 0 ? 0 : w.WalBytes / (double)best.Events):F0} |");
            }
        }

        if (options.Kinds.Contains("ours") && options.Kinds.Contains("raw"))
        {
            sb.AppendLine();
            sb.AppendLine("Fractions of the ceiling (`raw`), paired: each repeat's run ÷ the `raw` run of the same repeat, then the median (min–max) over repeats, which outside load moves least.");
            sb.AppendLine();
            var others = options.Kinds.Where(k => k != "raw").ToList();
            sb.AppendLine($"| writers | events/append | {string.Join(" | ", others.Select(k => $"{k} ÷ raw"))} |");
            sb.AppendLine($"|---:|---:|{string.Concat(others.Select(_ => "---:|"))}");
            foreach (var (writers, batch) in Cells())
            {
                sb.AppendLine(Inv, $"| {writers} | {batch} | {string.Join(" | ", others.Select(k => Paired(k, writers, batch) is { Count: > 0 } p ? $"{Stats.Median(p):F2} ({p.Min():F2}–{p.Max():F2})" : "-"))} |");
            }
        }

        if (CheckSummary is not null)
        {
            sb.AppendLine();
            sb.AppendLine(Inv, $"Checked after the runs: {CheckSummary}.");
        }

        sb.AppendLine();
    }

    private void WriteVerify(StringBuilder sb)
    {
        if (Verify is not { } v)
        {
            return;
        }

        sb.AppendLine("## VerifyIntegrity");
        sb.AppendLine();
        sb.AppendLine(Inv, $"`IntegrityVerifier.VerifyAsync()` over the whole schema after the appends: {v.Events:N0} events in {v.Streams:N0} streams (the store's and the raw writers' rows, hashed alike by the trigger), intact on every pass; {v.VerifySeconds.Count} passes.");
        sb.AppendLine();
        sb.AppendLine("| what | events/s best | events/s median | seconds best |");
        sb.AppendLine("|---|---:|---:|---:|");
        sb.AppendLine(Inv, $"| VerifyAsync (whole schema) | {N(v.EventsPerSecond)} | {N(v.MedianEventsPerSecond)} | {v.VerifySeconds.Min():F2} |");
        sb.AppendLine(Inv, $"| one reader draining the verifier's rows, no hashing | {N(v.ReadOnlyEventsPerSecond)} | {N(v.Events / Stats.Median(v.ReadOnlySeconds))} | {v.ReadOnlySeconds.Min():F2} |");
        sb.AppendLine(Inv, $"| the server producing them (EXPLAIN ANALYZE, nothing sent) | {N(v.Events / v.ServerSeconds)} | | {v.ServerSeconds:F2} |");
        sb.AppendLine(Inv, $"| HashChain.Compute alone, one core ({v.HashMicroseconds:F2} µs/event) | {N(1e6 / v.HashMicroseconds)} | | |");
        sb.AppendLine();
        sb.AppendLine(Inv, $"CPU during the verify passes (cores): this process {v.Window.BenchCores:F2}, its PostgreSQL backend {v.Window.BackendCores:F2}, the rest {v.Window.OtherCores:F2}.");
        sb.AppendLine();
    }

    private void WriteRead(StringBuilder sb)
    {
        if (Read is not { } read)
        {
            return;
        }

        sb.AppendLine("## Read a stream and fold it");
        sb.AppendLine();
        sb.AppendLine(Inv, $"One stream of {read.Events:N0} events, written through the store in appends of 100; fold = sum of `score` ({read.ScoreSum:N0}, equal on every pass). " +
            $"{options.ReadWarmups} warm-up passes, then {options.ReadRepeats} measured, the kinds interleaved.");
        sb.AppendLine();
        sb.AppendLine("| what | best ms | median ms |");
        sb.AppendLine("|---|---:|---:|");
        foreach (var r in read.Results)
        {
            sb.AppendLine(Inv, $"| {r.What} | {r.Best:F1} | {r.Median:F1} |");
        }

        sb.AppendLine();
        sb.AppendLine(Inv, $"Server (EXPLAIN ANALYZE of Marten's statement, nothing sent): {read.ServerMs:F1} ms.");
        sb.AppendLine();
        sb.AppendLine("<details><summary>plan</summary>");
        sb.AppendLine();
        sb.AppendLine("```");
        sb.AppendLine(read.Plan);
        sb.AppendLine("```");
        sb.AppendLine();
        sb.AppendLine("</details>");
        sb.AppendLine();
    }

    private void WriteRelay(StringBuilder sb)
    {
        if (Relay is not { } relay)
        {
            return;
        }

        sb.AppendLine("## Outbox relay to RabbitMQ");
        sb.AppendLine();
        sb.AppendLine(Inv, $"`OutboxRelay.RelayPendingAsync({relay.BatchSize})` until a backlog of {relay.Runs[0].Messages:N0} messages is marked sent: batch {relay.BatchSize}, " +
            $"{relay.MaxConcurrentStreams} streams at once, {relay.MaxInFlightPerStream} message(s) of a stream in flight before its confirm. The backlog (10 events + 10 messages per transaction) is written first, untimed. " +
            $"MassTransit {typeof(MassTransit.IBus).Assembly.GetName().Version}; the exchange is bound to a durable queue with no consumer, whose count is checked after each run. " +
            $"`bus alone`: the same bus and messages with no database, N publishers each awaiting its confirm ({relay.MaxConcurrentStreams}: the ceiling across streams; 1: the ceiling for one stream in strict order).");
        sb.AppendLine();
        sb.AppendLine("| backlog | messages/s best | messages/s median | CPU bench / PG / other (best) |");
        sb.AppendLine("|---|---:|---:|---|");
        foreach (var group in relay.Runs.Concat(relay.BusOnly).GroupBy(r => r.Scenario.Name))
        {
            var runs = group.ToList();
            var best = runs.MaxBy(r => r.MessagesPerSecond)!;
            sb.AppendLine(Inv, $"| {group.Key} | {N(best.MessagesPerSecond)} | {N(Stats.Median(runs.Select(r => r.MessagesPerSecond)))} | {best.Window.BenchCores:F2} / {best.Window.BackendCores:F2} / {best.Window.OtherCores:F2} |");
        }

        sb.AppendLine();
    }

    private void WriteGoals(StringBuilder sb)
    {
        sb.AppendLine("## Goals");
        sb.AppendLine();
        sb.AppendLine("| goal | measured (median; best) | verdict |");
        sb.AppendLine("|---|---|---|");
        if (options.Kinds.Contains("ours") && options.Kinds.Contains("raw"))
        {
            foreach (var (writers, batch) in Cells().Where(c => c.Batch > 1))
            {
                var ratio = Stats.Median(Paired("ours", writers, batch));
                sb.AppendLine(Inv, $"| appends ≥ {RatioGoal:F1}× raw, {writers} writer(s) × {batch} events | {ratio:F2} (paired) | {Verdict(ratio >= RatioGoal)} |");
            }
        }

        if (Read?.Results[0] is { } e2e)
        {
            sb.AppendLine(Inv, $"| {Read.Events:N0}-event stream read and folded ≤ {ReadGoalMs:F0} ms | {e2e.Median:F1} ms; {e2e.Best:F1} ms | {Verdict(e2e.Median <= ReadGoalMs, e2e.Best <= ReadGoalMs)} |");
        }

        foreach (var group in Relay?.Runs.GroupBy(r => r.Scenario.Name) ?? [])
        {
            var median = Stats.Median(group.Select(r => r.MessagesPerSecond));
            var best = group.Max(r => r.MessagesPerSecond);
            sb.AppendLine(Inv, $"| relay ≥ {N(RelayGoal)} messages/s, {group.Key}, {Relay!.MaxInFlightPerStream} in flight per stream | {N(median)}; {N(best)} | {Verdict(median >= RelayGoal, best >= RelayGoal)} |");
        }

        if (Verify is { } v)
        {
            sb.AppendLine(Inv, $"| VerifyIntegrity ≥ {N(VerifyGoal)} events/s | {N(v.MedianEventsPerSecond)}; {N(v.EventsPerSecond)} | {Verdict(v.MedianEventsPerSecond >= VerifyGoal, v.EventsPerSecond >= VerifyGoal)} |");
        }
    }

    private IEnumerable<(int Writers, int Batch)> Cells() =>
        from batch in options.Batches from writers in options.Writers where Appends.Any(r => r.Spec.Writers == writers && r.Spec.Batch == batch) select (writers, batch);

    private List<AppendRun> Runs(string kind, int writers, int batch) =>
        [.. Appends.Where(r => r.Spec.Kind == kind && r.Spec.Writers == writers && r.Spec.Batch == batch)];

    private List<double> Paired(string kind, int writers, int batch) =>
        [.. from a in Runs(kind, writers, batch) join b in Runs("raw", writers, batch) on a.Repeat equals b.Repeat select a.EventsPerSecond / b.EventsPerSecond];

    private static double Median(List<AppendRun> runs, Func<AppendRun, double> value) => Stats.Median(runs.Select(value));

    private static string Verdict(bool medianMet, bool? bestMet = null) =>
        medianMet ? "met" : bestMet == true ? "**borderline**: met by the best run only" : "**missed**";

    private static string N(double value) => double.IsFinite(value) ? value.ToString("N0", Inv).Replace(",", " ", StringComparison.Ordinal) : "-";

    private static string I(long value) => value.ToString(Inv);

    private static string F(double value, int decimals) => value.ToString("F" + decimals.ToString(Inv), Inv);
}
