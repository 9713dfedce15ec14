using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Npgsql;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Bench.Load;
using SpasmPlatform.Bench.Platform;

// Usage: PlatformBench --assessment URL[,URL] --samples DIR --postgres CONNSTR --out DIR [knobs]; run.sh passes them all.
// Prints each measured row as it comes and writes OUT/results.md and OUT/chart.svg.
var options = Options.Parse(args);
CpuSplit.ServiceRoot = options.ServiceRoot;
var runId = $"{DateTime.UtcNow:MMddHHmmss}-{Environment.ProcessId}";
var submissions = Submissions.Load(options.Samples, $"bench-platform-{runId}");
var report = new Report(options);
var maxInFlight = options.Concurrency.Append(options.ReadConcurrency).Append(options.TraceConcurrency).Max();
await using var dataSource = NpgsqlDataSource.Create(
    $"{options.Postgres};Maximum Pool Size={maxInFlight + 4};Application Name=spasm-platform-bench");
using var clients = new Clients(options.Assessment, options.MutualTls, options.Certs, options.Ceiling);
await using var watcher = new PlanWatcher(dataSource, options.CarePlanSchema, options.Poll);
await watcher.StartAsync();

// Assessments this run stored (id, clinic): the targets of the reads and the template of the raw write ceiling.
var stored = new ConcurrentQueue<(string Id, string Clinic)>();
var measuring = false;
long acknowledged = 0;
var deadline = TimeSpan.FromSeconds(30);

async Task<string?> SubmitAsync(long call)
{
    var request = submissions.Next();
    var record = Volatile.Read(ref measuring);
    try
    {
        var reply = await clients.Assessments(call, request.ClinicId).SubmitAssessmentAsync(request, new CallOptions(deadline: DateTime.UtcNow.Add(deadline)));
        watcher.Acked(reply.Assessment.AssessmentId, Stopwatch.GetTimestamp(), record);
        Interlocked.Increment(ref acknowledged);
        if (stored.Count < 100_000)
        {
            stored.Enqueue((reply.Assessment.AssessmentId, request.ClinicId));
        }

        return null;
    }
    catch (RpcException e)
    {
        return $"SubmitAssessment {e.StatusCode}: {e.Status.Detail}";
    }
}

// EchoRequest{message="hello"}: the bytes bench/grpc's Kestrel endpoint takes (and ignores) and answers with its fixed frame.
var echoMethod = new Method<byte[], byte[]>(MethodType.Unary, "spasm.testing.v1.EchoService", "Echo",
    Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
byte[] echoRequest = [0x0A, 0x05, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o'];

async Task<string?> EchoAsync(long call)
{
    try
    {
        await clients.Echo!.AsyncUnaryCall(echoMethod, null, new CallOptions(deadline: DateTime.UtcNow.Add(deadline)), echoRequest);
        return null;
    }
    catch (RpcException e)
    {
        return $"Kestrel ceiling {e.StatusCode}: {e.Status.Detail}";
    }
}

// Samples the backlog of undrafted plans while a window runs, for its maximum.
async Task<int> MaxBacklogAsync(CancellationToken stop)
{
    var max = 0;
    while (!stop.IsCancellationRequested)
    {
        max = Math.Max(max, watcher.Backlog);
        await Task.Delay(100, CancellationToken.None);
    }

    return max;
}

async Task<SubmitResult> SubmitWindowAsync(Func<Action, Task<Window>> run)
{
    // Plans left from the previous window (or the warm-up) must not count in this one's drafting rate.
    using var stop = new CancellationTokenSource();
    long draftedAtStart = 0;
    Task<int>? sampler = null;
    var window = await run(() =>
    {
        draftedAtStart = watcher.DraftedTotal;
        Volatile.Write(ref measuring, true);
        sampler = MaxBacklogAsync(stop.Token);
    });
    Volatile.Write(ref measuring, false);
    var draftedInWindow = watcher.DraftedTotal - draftedAtStart;
    var backlogAtEnd = watcher.Backlog;
    await stop.CancelAsync();
    var maxBacklog = await sampler!;
    var (took, left) = await watcher.DrainAsync(options.Drain);
    var (planMs, _) = watcher.TakeDrafted();
    if (left > 0)
    {
        watcher.Forget();
    }

    return new SubmitResult(window, draftedInWindow / window.Seconds, planMs, backlogAtEnd, Math.Max(maxBacklog, backlogAtEnd), took, left);
}

var scenarios = options.Scenarios;
if (clients.Echo is not null && await EchoAsync(0) is { } echoError)
{
    throw new InvalidOperationException($"the Kestrel ceiling at {options.Ceiling} does not answer: {echoError}");
}

// One pass over the templates first: the raw ceiling copies the rows of these (so it writes the load's mix of rows,
// e.g. a patient key only where notes were sealed), and the reads need rows to read.
for (var i = 0; i < submissions.Cycle; i++)
{
    if (await SubmitAsync(i) is { } error)
    {
        throw new InvalidOperationException($"the platform refused a submission: {error}");
    }
}

await watcher.DrainAsync(options.Drain);
watcher.TakeDrafted();
var rawSubmit = await RawSubmit.CreateAsync(dataSource, options.AssessmentSchema, options.ScratchSchema ?? $"bench_raw_{runId.Replace('-', '_')}", [.. stored.Select(s => s.Id)]);
Console.Error.WriteLine($"raw write ceiling: scratch schema {rawSubmit.Scratch}, {string.Join(" and ", options.RawBatches)} submission(s) per transaction");
var assessmentRowsBefore = await RowsWritten.SnapshotAsync(dataSource, options.AssessmentSchema);
var carePlanRowsBefore = await RowsWritten.SnapshotAsync(dataSource, options.CarePlanSchema);
var acknowledgedBefore = Interlocked.Read(ref acknowledged);
// A scenario that fails (a service or the database gone) is reported as such; the others still run and the figures
// already taken are still written.
async Task ScenarioAsync(string name, Func<Task> body)
{
    try
    {
        await body();
    }
    catch (Exception e) when (e is RpcException or NpgsqlException or InvalidOperationException or TimeoutException)
    {
        Console.Error.WriteLine($"{name} failed: {e.Message}");
        report.Failed(name, e.Message);
    }
}

try
{
    await ScenarioAsync("submit, closed loop", async () =>
    {
        if (!scenarios.Contains("submit"))
        {
            return;
        }

        foreach (var concurrency in options.Concurrency)
        {
            Console.Error.WriteLine($"submit, closed loop, {concurrency} in flight...");
            var service = await SubmitWindowAsync(measure => Load.ClosedAsync(concurrency, options.Warmup, options.Duration, SubmitAsync, measure));
            var raw = new List<Window>();
            foreach (var batch in options.RawBatches)
            {
                raw.Add(await Load.ClosedAsync(concurrency, options.Warmup, options.Duration, _ => rawSubmit.WriteAsync(batch)));
            }

            var transport = clients.Echo is null ? null : await Load.ClosedAsync(concurrency, options.Warmup, options.Duration, EchoAsync);
            report.Closed(concurrency, service, raw, transport);
        }
    });

    await ScenarioAsync("submit, open loop", async () =>
    {
        if (!scenarios.Contains("open"))
        {
            return;
        }

        Console.Error.WriteLine($"submit, open loop, {options.Rate}/s...");
        var service = await SubmitWindowAsync(measure => Load.OpenAsync(options.Rate, options.Warmup, options.Duration, SubmitAsync, measure));
        var raw = await Load.OpenAsync(options.Rate, options.Warmup, options.Duration, _ => rawSubmit.WriteAsync(1));
        var transport = clients.Echo is null ? null : await Load.OpenAsync(options.Rate, options.Warmup, options.Duration, EchoAsync);
        report.Open(options.Rate, service, raw, transport);
    });

    await ScenarioAsync("rows per submission", async () =>
    {
        if (!scenarios.Contains("submit") && !scenarios.Contains("open"))
        {
            return;
        }

        // An idle backend publishes its counters within 10 s (PostgreSQL 15): wait that long for the consumers' last rows.
        await Task.Delay(TimeSpan.FromSeconds(11));
        var submitted = Interlocked.Read(ref acknowledged) - acknowledgedBefore;
        var scratchRows = await RowsWritten.SnapshotAsync(dataSource, rawSubmit.Scratch);
        report.Rows(
            RowsWritten.PerSubmission(assessmentRowsBefore, await RowsWritten.SnapshotAsync(dataSource, options.AssessmentSchema), submitted),
            RowsWritten.PerSubmission(carePlanRowsBefore, await RowsWritten.SnapshotAsync(dataSource, options.CarePlanSchema), submitted),
            RowsWritten.PerSubmission([], scratchRows, rawSubmit.Written));
    });
}
finally
{
    if (!options.KeepScratch)
    {
        await ScenarioAsync("dropping the scratch schema", rawSubmit.DropAsync);
    }
}

var targets = stored.ToArray();
var raws = new RawReads(dataSource, options.AssessmentSchema, options.CarePlanSchema);
(string Id, string Clinic) Target(long call) => targets[(int)((call * 7919) % targets.Length)];
await ScenarioAsync("reads", async () =>
{
    if (!scenarios.Contains("reads"))
    {
        return;
    }

    var c = options.ReadConcurrency;
    Console.Error.WriteLine($"reads, {c} in flight, over {targets.Length} assessments...");
    var get = await Load.ClosedAsync(c, options.Warmup, options.Duration, async call =>
    {
        var (id, clinic) = Target(call);
        try
        {
            await clients.Assessments(call, clinic).GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = id }, new CallOptions(deadline: DateTime.UtcNow.Add(deadline)));
            return null;
        }
        catch (RpcException e)
        {
            return $"GetAssessment {e.StatusCode}: {e.Status.Detail}";
        }
    });
    var rawGet = await Load.ClosedAsync(c, options.Warmup, options.Duration, call => raws.GetAsync(Target(call).Id));
    report.Read("GetAssessment", c, get, "raw select by primary key", rawGet, "≥ 5,000/s");

    var list = await Load.ClosedAsync(c, options.Warmup, options.Duration, async call =>
    {
        var clinic = Clients.ClinicId((int)(call % Clients.Clinics));
        try
        {
            await clients.Assessments(call, clinic).ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic }, new CallOptions(deadline: DateTime.UtcNow.Add(deadline)));
            return null;
        }
        catch (RpcException e)
        {
            return $"ListAssessments {e.StatusCode}: {e.Status.Detail}";
        }
    });
    var rawList = await Load.ClosedAsync(c, options.Warmup, options.Duration, call => raws.ListAsync(Clients.ClinicId((int)(call % Clients.Clinics))));
    report.Read("ListAssessments (first page of 50)", c, list, "raw select of 51 rows on the clinic index", rawList, "≥ 5,000/s");
});

await ScenarioAsync("audit", async () =>
{
    if (!scenarios.Contains("audit"))
    {
        return;
    }

    if (options.Seed > 0)
    {
        // seed.sql gives each copy a new assessment id, and sealed clinical notes are bound to theirs: the source
        // must carry none, or every copy would fail to open in StreamHistory.
        var source = submissions.Next();
        source.ClinicalNotes = string.Empty;
        var reply = await clients.Assessments(0, source.ClinicId).SubmitAssessmentAsync(source, new CallOptions(deadline: DateTime.UtcNow.Add(deadline)));
        Console.Error.WriteLine($"seeding {options.Seed} assessment streams (bench/audit/seed.sql)...");
        await Seeding.RunAsync(options, $"assessment-{reply.Assessment.AssessmentId}");
    }

    var c = options.TraceConcurrency;
    Console.Error.WriteLine($"GetDecisionTrace, {c} in flight...");
    var trace = await Load.ClosedAsync(c, options.Warmup, options.Duration, async call =>
    {
        try
        {
            await clients.Audit(call).GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = Target(call).Id }, new CallOptions(deadline: DateTime.UtcNow.Add(deadline)));
            return null;
        }
        catch (RpcException e)
        {
            return $"GetDecisionTrace {e.StatusCode}: {e.Status.Detail}";
        }
    });
    var rawTrace = await Load.ClosedAsync(c, options.Warmup, options.Duration, call => raws.TraceAsync(Target(call).Id));
    report.Read("GetDecisionTrace", c, trace, "raw selects of the stream's events and its plan", rawTrace, "p99 ≤ 20 ms");

    Console.Error.WriteLine("StreamHistory, VerifyIntegrity and a raw read of every event...");
    var history = await Whole.RunAsync(async () =>
    {
        long events = 0;
        using var call = clients.Audit(0).StreamHistory(new StreamHistoryRequest(), new CallOptions(deadline: DateTime.UtcNow.AddMinutes(30)));
        await foreach (var _ in call.ResponseStream.ReadAllAsync())
        {
            events++;
        }

        return events;
    });
    var rawAll = await Whole.RunAsync(raws.ReadAllEventsAsync);
    var verify = await Whole.RunAsync(async () =>
    {
        var reply = await clients.Audit(0).VerifyIntegrityAsync(new VerifyIntegrityRequest(), new CallOptions(deadline: DateTime.UtcNow.AddMinutes(30)));
        return reply.Intact ? reply.EventsChecked : throw new InvalidOperationException($"VerifyIntegrity found {reply.Breaks.Count} break(s)");
    });
    report.Whole("StreamHistory, every stream from position 0", history, rawAll, "≥ 100,000 events/s");
    report.Whole("VerifyIntegrity, every stream", verify, rawAll, "≥ 200,000 events/s");
});

report.Write(watcher.QueryErrors);
return 0;
