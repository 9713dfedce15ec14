using Npgsql;
using SpasmPlatform.Bench.EventStore;
using SpasmPlatform.EventStore;

// bench/eventstore: see README.md. Everything happens in fresh schemas that are dropped at the end (--keep-schema keeps them).
var options = BenchOptions.Parse(args);
var started = DateTimeOffset.UtcNow;
var tag = $"b{started:HHmmss}";
var schema = $"esbench_{started:yyyyMMdd_HHmmss}";
// raw-notrigger writes here: the same Marten tables without the chain trigger.
var noTriggerSchema = $"{schema}_nt";
const string WritersApplicationName = "esbench-writers";

var writerConnection = new NpgsqlConnectionStringBuilder(options.Connection)
{
    ApplicationName = WritersApplicationName,
    MaxPoolSize = Math.Max(100, options.Writers.DefaultIfEmpty(1).Max() * 2),
};
var probeConnection = new NpgsqlConnectionStringBuilder(options.Connection) { ApplicationName = "esbench-probe" };
await using var dataSource = NpgsqlDataSource.Create(writerConnection.ConnectionString);
await using var probeSource = NpgsqlDataSource.Create(probeConnection.ConnectionString);

var server = await ServerInfo.ReadAsync(probeSource);
Log($"PostgreSQL {server.Version}; {string.Join(", ", server.Settings.Select(s => $"{s.Key}={s.Value}"))}");
Log($"schema {schema}");

await using var store = await CreateStoreAsync(schema);
var report = new Report(options, server, schema, started);
try
{
    var probe = new Probe(probeSource, WritersApplicationName, options.ClockTicks);
    if (options.Kinds.Length > 0)
    {
        var appenders = new Dictionary<string, IAppender>
        {
            ["ours"] = new OursAppender(store),
            ["raw"] = new RawAppender(dataSource, schema),
        };
        if (options.Kinds.Contains("raw-notrigger"))
        {
            await using var noTrigger = await CreateStoreAsync(noTriggerSchema);
            await Execute(probeSource, $"DROP TRIGGER chain_event ON {noTriggerSchema}.mt_events");
            appenders["raw-notrigger"] = new RawAppender(dataSource, noTriggerSchema);
        }

        var runner = new AppendRunner(probe, TimeSpan.FromSeconds(options.WarmupSeconds), TimeSpan.FromSeconds(options.DurationSeconds), options.StreamsPerWriter);
        for (var repeat = 1; repeat <= options.Repeats; repeat++)
        {
            // The order of the kinds alternates from one repeat to the next, so slow drift (checkpoints, table growth) hits each.
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
                        Log($"run {repeat}/{options.Repeats} {kind,-13} writers={writers} batch={batch,3}: {run.EventsPerSecond,8:F0} events/s " +
                            $"{run.AppendsPerSecond,6:F0} appends/s  p50 {run.P50Ms:F2} ms p99 {run.P99Ms:F2} ms  cpu bench/pg/other {w.BenchCores:F2}/{w.BackendCores:F2}/{w.OtherCores:F2}");
                    }
                }
            }
        }

        report.CheckSummary = await CheckRowsAsync(report.Appends);
        Log(report.CheckSummary);
    }

    if (options.VerifyRepeats > 0)
    {
        // A pool of its own, so that the probe finds the verifier's backend by name and nothing else.
        var verifyConnection = new NpgsqlConnectionStringBuilder(options.Connection) { ApplicationName = "esbench-verify" };
        await using var verifySource = NpgsqlDataSource.Create(verifyConnection.ConnectionString);
        var verifyProbe = new Probe(probeSource, verifyConnection.ApplicationName, options.ClockTicks);
        report.Verify = await new VerifyBench(verifySource, schema, verifyProbe, options.VerifyRepeats).RunAsync(Log);
    }

    if (options.ReadEvents > 0)
    {
        report.Read = await new ReadBench(store, dataSource, options.ReadEvents, options.ReadWarmups, options.ReadRepeats).RunAsync(tag);
        foreach (var r in report.Read.Results)
        {
            Log($"read {r.What}: best {r.Best:F1} ms, median {r.Median:F1} ms");
        }
    }

    if (options.RelayMessages > 0)
    {
        report.Relay = await new RelayBench(store, dataSource, probe, options.Amqp, options.RelayMessages, options.RelayRepeats, options.RelayInFlight).RunAsync(tag, Log);
    }

    report.Write();
    Log($"wrote {options.Results} and {options.Tsv}");
}
finally
{
    if (options.KeepSchema)
    {
        Log($"kept schemas {schema} and {noTriggerSchema} (if raw-notrigger ran)");
    }
    else
    {
        await Execute(probeSource, $"DROP SCHEMA IF EXISTS {schema} CASCADE; DROP SCHEMA IF EXISTS {noTriggerSchema} CASCADE");
    }
}

return 0;

async Task<MartenEventStore> CreateStoreAsync(string name)
{
    var storeOptions = new EventStoreOptions { Schema = name };
    storeOptions.Types.Register<AnswerRecorded>(PayloadFactory.EventType);
    // What a decision loads before it appends (FetchForWritingAsync): the read benchmark's fold, as a live aggregation.
    storeOptions.Aggregate<ScoreTotal>(ScoreTotal.Evolve);
    var created = new MartenEventStore(dataSource, storeOptions);
    await created.EnsureSchemaAsync();
    return created;
}

// Every append the writers made (warm-up included) must be a row of its kind's streams.
async Task<string> CheckRowsAsync(List<AppendRun> runs)
{
    var parts = new List<string>();
    foreach (var kind in options.Kinds)
    {
        var expected = runs.Where(r => r.Spec.Kind == kind).Sum(r => r.AllEvents);
        var table = kind == "raw-notrigger" ? $"{noTriggerSchema}.mt_events" : $"{schema}.mt_events";
        var rows = await Scalar($"SELECT count(*) FROM {table} WHERE stream_id LIKE '{tag}-{kind}-w%'");
        if (rows != expected)
        {
            throw new InvalidOperationException($"{kind}: {rows} rows in {table}, but its writers appended {expected} events");
        }

        parts.Add($"{kind} {rows:N0}");
    }

    return $"rows in mt_events = events appended, per kind: {string.Join(", ", parts)}";
}

async Task<long> Scalar(string sql)
{
    await using var command = probeSource.CreateCommand(sql);
    return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
}

static async Task Execute(NpgsqlDataSource source, string sql)
{
    await using var command = source.CreateCommand(sql);
    await command.ExecuteNonQueryAsync();
}

static void Log(string message) => Console.Error.WriteLine($"[esbench {DateTime.Now:HH:mm:ss}] {message}");
