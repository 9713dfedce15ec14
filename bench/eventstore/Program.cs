using Npgsql;
using SpasmPlatform.Bench.EventStore;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Integrity;

// bench/eventstore: see README.md. Everything happens in a fresh schema that is dropped at the end (--keep-schema keeps it).
var options = BenchOptions.Parse(args);
var started = DateTimeOffset.UtcNow;
var tag = $"b{started:HHmmss}";
var schema = $"esbench_{started:yyyyMMdd_HHmmss}";
const string WritersApplicationName = "esbench-writers";

var maxWriters = options.Writers.DefaultIfEmpty(1).Max();
var writerConnection = new NpgsqlConnectionStringBuilder(options.Connection)
{
    ApplicationName = WritersApplicationName,
    MaxPoolSize = Math.Max(100, maxWriters * 2),
};
var probeConnection = new NpgsqlConnectionStringBuilder(options.Connection) { ApplicationName = "esbench-probe" };
await using var dataSource = NpgsqlDataSource.Create(writerConnection.ConnectionString);
await using var probeSource = NpgsqlDataSource.Create(probeConnection.ConnectionString);

var server = await ServerInfo.ReadAsync(probeSource);
Log($"PostgreSQL {server.Version}; {string.Join(", ", server.Settings.Select(s => $"{s.Key}={s.Value}"))}");
Log($"schema {schema}");

var store = new MartenEventStore(dataSource, new EventStoreOptions { Schema = schema });
await store.EnsureSchemaAsync();
await Execute(probeSource, $"CREATE TABLE {schema}.raw_events (LIKE {schema}.events INCLUDING ALL)");

if (options.SetupOnly)
{
    var sample = new WriterStream("sample");
    await new OursAppender(store).AppendAsync(sample, 1, new PayloadFactory(1), CancellationToken.None);
    Console.WriteLine(schema);
    return 0;
}

var report = new Report(options, server, schema, started);
try
{
    var probe = new Probe(probeSource, WritersApplicationName, options.ClockTicks);
    var runner = new AppendRunner(probe, TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), options.StreamsPerWriter);
    var appenders = new Dictionary<string, IAppender>
    {
        ["ours"] = new OursAppender(store),
        ["raw"] = new RawAppender(dataSource, schema, RawMode.Unnest),
        ["raw-values"] = new RawAppender(dataSource, schema, RawMode.Values),
    };

    if (!options.SkipAppends)
    {
        for (var repeat = 1; repeat <= options.Repeats; repeat++)
        {
            // Alternate the order of the kinds inside each cell, so slow drift (checkpoints, table growth) hits both.
            var kinds = repeat % 2 == 1 ? options.Kinds : [.. options.Kinds.Reverse()];
            foreach (var batch in options.Batches)
            {
                foreach (var writers in options.Writers)
                {
                    foreach (var kind in kinds)
                    {
                        var run = await runner.RunAsync(new CellSpec(kind, writers, batch), repeat, appenders[kind], tag);
                        report.Appends.Add(run);
                        var w = run.Window;
                        Log($"run {repeat}/{options.Repeats} {kind,-10} writers={writers} batch={batch,3}: " +
                            $"{run.EventsPerSecond,9:F0} events/s {run.AppendsPerSecond,8:F0} appends/s  p50 {run.P50Ms:F2} ms p99 {run.P99Ms:F2} ms  " +
                            $"cpu bench/pg/other {w.BenchCores:F2}/{w.BackendCores:F2}/{w.OtherCores:F2}  WAL {(run.Events == 0 ? 0 : w.WalBytes / (double)run.Events):F0} B/event" +
                            (w.Checkpoints > 0 ? "  (checkpoint)" : string.Empty));
                    }
                }
            }
        }

        await CheckAppendsAsync(report.Appends);
    }

    if (!options.SkipRead && options.ReadEvents > 0)
    {
        var read = await new ReadBench(store, dataSource, schema, options.ReadEvents, options.ReadWarmups, options.ReadRepeats).RunAsync(tag);
        report.Read = read;
        foreach (var r in read.Results)
        {
            Log($"read {r.What}: best {r.Best:F1} ms, median {r.Median:F1} ms, p90 {r.P90:F1} ms");
        }

        Log($"read: server execution {read.ServerExecutionMs:F1} ms (EXPLAIN ANALYZE); integrity verify of the stream {read.VerifyMs:F0} ms, intact={read.Intact}");
    }

    if (options.RelayMessages > 0)
    {
        report.Relay = await new RelayBench(store, dataSource, new Probe(probeSource, WritersApplicationName, options.ClockTicks), options.Amqp, options.RelayMessages, options.RelayRepeats)
            .RunAsync(tag, Log);
    }

    report.Write();
    Log($"wrote {options.Results} and {options.Tsv}");
}
finally
{
    if (options.KeepSchema)
    {
        Log($"kept schema {schema}");
    }
    else
    {
        await Execute(probeSource, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
    }
}

return 0;

// Every append the writers made (warm-up included) must be a row, and the store's chains must verify.
async Task CheckAppendsAsync(List<AppendRun> runs)
{
    var ours = runs.Where(r => r.Spec.Kind == "ours").Sum(r => r.AllEvents);
    var raw = runs.Where(r => r.Spec.Kind != "ours").Sum(r => r.AllEvents);
    var oursRows = await Scalar(probeSource, $"SELECT count(*) FROM {schema}.events");
    var rawRows = await Scalar(probeSource, $"SELECT count(*) FROM {schema}.raw_events");
    if (oursRows != ours || rawRows != raw)
    {
        throw new InvalidOperationException($"row counts do not match the appends: events {oursRows} vs {ours}, raw_events {rawRows} vs {raw}");
    }

    var verifier = new IntegrityVerifier(dataSource, schema);
    var verified = 0L;
    foreach (var run in runs.Where(r => r.Spec.Kind == "ours"))
    {
        var streamId = $"{tag}-ours-w{run.Spec.Writers}-b{run.Spec.Batch}-r{run.Repeat}-0-0";
        var result = await verifier.VerifyAsync(streamId);
        if (!result.Intact || result.EventsChecked == 0)
        {
            throw new InvalidOperationException($"{streamId}: hash chain not intact ({string.Join("; ", result.Breaks.Select(b => b.Reason))})");
        }

        verified += result.EventsChecked;
    }

    report.CheckSummary = $"rows: events {oursRows:N0} = appended by the store's writers, raw_events {rawRows:N0} = appended by the raw writers; " +
        $"hash chains verified with IntegrityVerifier on one stream per store run ({verified:N0} events): intact";
    Log(report.CheckSummary);
}

static async Task Execute(NpgsqlDataSource source, string sql)
{
    await using var command = source.CreateCommand(sql);
    await command.ExecuteNonQueryAsync();
}

static async Task<long> Scalar(NpgsqlDataSource source, string sql)
{
    await using var command = source.CreateCommand(sql);
    return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
}

static void Log(string message) => Console.Error.WriteLine($"[esbench {DateTime.Now:HH:mm:ss}] {message}");
