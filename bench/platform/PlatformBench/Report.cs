using System.Globalization;
using System.Text;

namespace SpasmPlatform.Bench.Platform;

/// <summary>
/// Collects the measured rows, prints each as it comes, and writes results.md (tables, each figure beside its ceiling
/// and its fraction of it, CPU per call per process group) and chart.svg next to it.
/// </summary>
internal sealed class Report(Options options)
{
    private readonly List<string> _closed = [];
    private readonly List<string> _open = [];
    private readonly List<string> _reads = [];
    private readonly List<string> _cpu = [];
    private string? _rows;
    private readonly List<string> _failed = [];
    private readonly List<ChartPoint> _chart = [];
    private readonly string _loadBefore = LoadAverage();
    private readonly DateTime _started = DateTime.UtcNow;

    public void Closed(int concurrency, SubmitResult service, IReadOnlyList<Window> raw, Window? transport)
    {
        var s = service.Submit;
        var batches = options.RawBatches;
        var rawRates = raw.Select((w, i) => w.PerSecond * batches[i]).ToArray();
        _closed.Add(Row([
            $"{concurrency}", N(s.PerSecond), Ms(s.P50), Ms(s.P99), Failed(s), N(service.DraftedPerSecond),
            Ms(Stats.Percentile(service.PlanMs, 50)), Ms(Stats.Percentile(service.PlanMs, 99)), Backlog(service),
            .. rawRates.SelectMany(r => new[] { N(r), Fraction(s.PerSecond, r) }),
            transport is null ? "–" : N(transport.PerSecond), transport is null ? "–" : Fraction(s.PerSecond, transport.PerSecond)]));
        Cpu($"submit, closed, {concurrency} in flight", s.PerSecond, s.Cpu);
        for (var i = 0; i < raw.Count; i++)
        {
            Cpu($"raw write ceiling ({batches[i]} per commit), closed, {concurrency} writer(s)", rawRates[i], raw[i].Cpu);
        }

        if (transport is not null)
        {
            Cpu($"Kestrel ceiling, closed, {concurrency} in flight", transport.PerSecond, transport.Cpu);
        }

        _chart.Add(new ChartPoint(concurrency, s.PerSecond, service.DraftedPerSecond, rawRates, transport?.PerSecond, s.P50, s.P99,
            Stats.Percentile(service.PlanMs, 99)));
        Console.WriteLine($"closed {concurrency,4}: {s.PerSecond,8:0}/s p50 {s.P50:0.00} ms p99 {s.P99:0.00} ms failed {s.Failed}; plans {service.DraftedPerSecond:0}/s p99 {Stats.Percentile(service.PlanMs, 99):0.0} ms backlog {Backlog(service)}; raw {string.Join(", ", rawRates.Select((r, i) => $"{r:0}/s ({batches[i]} per commit)"))}; Kestrel {transport?.PerSecond ?? double.NaN:0}/s");
        Error(s);
        foreach (var w in raw)
        {
            Error(w);
        }
    }

    public void Open(int rate, SubmitResult service, Window raw, Window? transport)
    {
        var s = service.Submit;
        _open.Add(Row(
            $"{rate}/s", N(s.PerSecond), Ms(s.P50), Ms(s.P99), Failed(s), N(service.DraftedPerSecond),
            Ms(Stats.Percentile(service.PlanMs, 50)), Ms(Stats.Percentile(service.PlanMs, 99)), Backlog(service),
            $"{Ms(raw.P50)} / {Ms(raw.P99)}", transport is null ? "–" : $"{Ms(transport.P50)} / {Ms(transport.P99)}"));
        Cpu($"submit, open, {rate}/s", s.PerSecond, s.Cpu);
        Cpu($"raw write ceiling, open, {rate}/s", raw.PerSecond, raw.Cpu);
        if (transport is not null)
        {
            Cpu($"Kestrel ceiling, open, {rate}/s", transport.PerSecond, transport.Cpu);
        }

        Console.WriteLine($"open {rate}/s: achieved {s.PerSecond:0}/s submit p50 {s.P50:0.00} p99 {s.P99:0.00} ms failed {s.Failed}; plan p50 {Stats.Percentile(service.PlanMs, 50):0.0} p99 {Stats.Percentile(service.PlanMs, 99):0.0} ms backlog {Backlog(service)}; raw p99 {raw.P99:0.00} ms; Kestrel p99 {transport?.P99 ?? double.NaN:0.00} ms");
        Error(s);
    }

    public void Read(string operation, int concurrency, Window service, string ceiling, Window raw, string goal)
    {
        _reads.Add(Row(operation, $"{concurrency} in flight", $"{N(service.PerSecond)} calls/s", Ms(service.P50), Ms(service.P99), Failed(service),
            ceiling, $"{N(raw.PerSecond)}/s, p50 {Ms(raw.P50)}, p99 {Ms(raw.P99)}", Fraction(service.PerSecond, raw.PerSecond), goal));
        Cpu($"{operation}, {concurrency} in flight", service.PerSecond, service.Cpu);
        Cpu($"{ceiling}, {concurrency} in flight", raw.PerSecond, raw.Cpu);
        Console.WriteLine($"{operation} x{concurrency}: {service.PerSecond:0}/s p50 {service.P50:0.00} p99 {service.P99:0.00} ms failed {service.Failed}; ceiling {raw.PerSecond:0}/s");
        Error(service);
    }

    public void Whole(string operation, WholeRun service, WholeRun raw, string goal)
    {
        var measured = service.Error is null
            ? $"{N(service.PerSecond)} events/s ({service.Events:N0} events in {service.Seconds:0.00} s)"
            : $"failed after {service.Seconds:0.0} s: {service.Error.ReplaceLineEndings(" ").Replace('|', '/')}";
        _reads.Add(Row(operation, "1 call", measured, "–", "–", service.Error is null ? "0" : "1",
            "raw read of every event, every column, in global order", $"{N(raw.PerSecond)} events/s", Fraction(service.PerSecond, raw.PerSecond), goal));
        Cpu(operation, service.PerSecond, service.Cpu, "events");
        Console.WriteLine($"{operation}: {service.PerSecond:0} events/s ({service.Events} events){(service.Error is null ? string.Empty : $" FAILED: {service.Error}")}; ceiling {raw.PerSecond:0} events/s");
    }

    public void Failed(string scenario, string error) => _failed.Add($"- {scenario}: {error.ReplaceLineEndings(" ")}");

    public void Rows(string assessment, string carePlan, string raw)
    {
        _rows = $"""
            Rows inserted per acknowledged submission over the submit windows (pg_stat_user_tables; warm-ups included, and the asynchronous rows too: in the assessment schema the care-plan link event and its inbox mark, in the care-plan schema the whole drafting):

            - assessment service schema: {assessment}
            - care-plan service schema: {carePlan}
            - raw write ceiling, per submission written: {raw}

            """;
        Console.WriteLine($"rows per submission: assessment {assessment}; care-plan {carePlan}; raw {raw}");
    }

    public void Write(long watcherErrors)
    {
        Directory.CreateDirectory(options.Out);
        var md = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        md.AppendLine("# bench/platform results").AppendLine();
        md.AppendLine(inv, $"Generated by `{options.Command}` on {_started:yyyy-MM-dd HH:mm} UTC. {options.Note}").AppendLine();
        var loadBefore = double.Parse(_loadBefore.Split(' ')[0], inv);
        var loadAfter = double.Parse(LoadAverage().Split(' ')[0], inv);
        if (Math.Max(loadBefore, loadAfter) > Environment.ProcessorCount)
        {
            md.AppendLine(inv, $"**The machine was busy with other work during this run (load average up to {Math.Max(loadBefore, loadAfter):0.0} on {Environment.ProcessorCount} cores; see \"other\" in the CPU table): these figures show that the tools work, not what the platform can do. Take the figures from a run on a quiet machine.**").AppendLine();
        }

        md.AppendLine(inv, $"Machine: {Environment.ProcessorCount} cores, {Os()}; services, PostgreSQL, RabbitMQ and this load generator all on these cores. Load average before: {_loadBefore}; after: {LoadAverage()}.");
        md.AppendLine(inv, $"Platform: {options.Instances} instance(s) of each service ({string.Join(", ", options.Assessment)}), {(options.MutualTls ? "mutual TLS (one clinic-system certificate per clinic, an auditor certificate for the audit calls)" : "development mode (h2c, every caller trusted)")}; schemas `{options.AssessmentSchema}` and `{options.CarePlanSchema}`.");
        md.AppendLine(inv, $"Load: varied submissions from samples/assessments (bench/assessment's Submissions: vignettes as templates, benign ones weighted up, own request ids, jittered age, duration and pain), 8 clinics, one grpc-dotnet channel per clinic per instance (PlatformChannels), calls spread over the instances round robin. Each window: {options.Warmup.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s measured.");
        md.AppendLine();
        md.AppendLine("Plans: the time from SubmitAssessment's reply until the plan's row is in the care-plan read model (what GetCarePlan answers from), seen by one query on that table every " +
            $"{options.Poll.TotalMilliseconds:0} ms (so up to one poll interval late), never by calling the services. Backlog = acknowledged submissions without a plan yet (at the end of the window / the most seen during it); after each window the bench waits (up to {options.Drain.TotalSeconds:0} s) for it to drain, and the plan percentiles cover every submission of the window, drafted during it or after." +
            (watcherErrors > 0 ? $" The watcher's query failed {watcherErrors} time(s)." : string.Empty));
        md.AppendLine();
        if (_closed.Count > 0)
        {
            md.AppendLine("## SubmitAssessment, closed loop").AppendLine();
            md.AppendLine(inv, $"Ceilings in the same run, at the same concurrency: **raw** = the rows a submission stores written by hand with Npgsql into copies of the service's tables, triggers included, by as many writers as calls in flight, each committing {string.Join(" or ", options.RawBatches)} submission(s) per transaction (1: a commit per submission; the service groups the submissions that arrive together into one commit, so the larger batch is the like-for-like ceiling under load); **Kestrel** = bench/grpc's plain Kestrel HTTP/2 endpoint answering a fixed gRPC frame, called through the same client stack{(options.MutualTls ? " over the same mutual TLS" : string.Empty)}.").AppendLine();
            md.AppendLine("| in flight | submits/s | p50 ms | p99 ms | failed | plans drafted/s | plan p50 ms | plan p99 ms | backlog end / max (drained in) | "
                + string.Concat(options.RawBatches.Select(b => $"raw, {b} per commit/s | × raw{b} | ")) + "Kestrel ceiling/s | × Kestrel |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|" + string.Concat(options.RawBatches.Select(_ => "---:|---:|")) + "---:|---:|");
            _closed.ForEach(r => md.AppendLine(r));
            md.AppendLine().AppendLine("Goal (issue 16): ≥ 1,000 submits/s at 64 in flight with the plans drafted alongside (no growing backlog).").AppendLine();
            md.AppendLine("![throughput and latency per concurrency](chart.svg)").AppendLine();
        }

        if (_rows is not null)
        {
            md.AppendLine(_rows);
        }

        if (_open.Count > 0)
        {
            md.AppendLine("## SubmitAssessment, open loop").AppendLine();
            md.AppendLine("Submissions start on a fixed schedule; submit latency counts from the scheduled start (no coordinated omission). The ceilings run the same schedule: raw = one submission's rows per transaction, Kestrel = the empty endpoint.").AppendLine();
            md.AppendLine("| offered | achieved/s | submit p50 ms | submit p99 ms | failed | plans drafted/s | plan p50 ms | plan p99 ms | backlog end / max (drained in) | raw p50 / p99 ms | Kestrel p50 / p99 ms |");
            md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|");
            _open.ForEach(r => md.AppendLine(r));
            md.AppendLine().AppendLine("Goal (issue 16): at 500/s, submit p99 ≤ 10 ms and plan drafted p99 ≤ 100 ms after the acknowledgement.").AppendLine();
        }

        if (_reads.Count > 0)
        {
            md.AppendLine("## Reads and audit").AppendLine();
            md.AppendLine("With the access log on (every read of patient data appends an AccessRecorded event, as deployed). Closed loop; the ceiling runs the same way at the same concurrency.").AppendLine();
            md.AppendLine("| operation | load | measured | p50 ms | p99 ms | failed | ceiling | ceiling measured | × ceiling | goal (issue 16) |");
            md.AppendLine("|---|---|---:|---:|---:|---:|---|---|---:|---|");
            _reads.ForEach(r => md.AppendLine(r));
            md.AppendLine();
        }

        if (_failed.Count > 0)
        {
            md.AppendLine("## Scenarios that failed").AppendLine();
            _failed.ForEach(f => md.AppendLine(f));
            md.AppendLine();
        }

        md.AppendLine("## Where the CPU goes").AppendLine();
        md.AppendLine("CPU per completed call (µs; per event for whole-store calls) of each process group, from /proc over the window; in brackets the cores it kept busy. Services: all instances together. other = the machine's busy time not in these groups (other people's work on a shared machine shows here).").AppendLine();
        md.AppendLine("| window | rate | " + string.Join(" | ", CpuSplit.Groups) + " | total cores |");
        md.AppendLine("|---|---:|" + string.Concat(Enumerable.Repeat("---:|", CpuSplit.Groups.Length)) + "---:|");
        _cpu.ForEach(r => md.AppendLine(r));
        md.AppendLine();
        md.AppendLine("Figures from a shared or small machine are not verdicts: judge the goals only from a run on a quiet machine (see docs/performance.md).");
        File.WriteAllText(Path.Combine(options.Out, "results.md"), md.ToString());
        if (_chart.Count > 0)
        {
            File.WriteAllText(Path.Combine(options.Out, "chart.svg"), Chart.Render(_chart, options.RawBatches, options.Instances, options.MutualTls));
        }

        Console.Error.WriteLine($"wrote {Path.Combine(options.Out, "results.md")}{(_chart.Count > 0 ? " and chart.svg" : string.Empty)}");
    }

    private void Cpu(string window, double rate, CpuSplit cpu, string unit = "calls")
    {
        _cpu.Add(Row([window, $"{N(rate)} {unit}/s", .. CpuSplit.Groups.Select(g =>
            cpu.Cores.GetValueOrDefault(g) < 0.005 ? "–" : $"{cpu.MicrosPerCall(g, rate).ToString("0", CultureInfo.InvariantCulture)} ({cpu.Cores[g].ToString("0.00", CultureInfo.InvariantCulture)})"),
            cpu.Total.ToString("0.00", CultureInfo.InvariantCulture)]));
    }

    private static void Error(Window window)
    {
        if (window.FirstError is not null)
        {
            Console.Error.WriteLine($"  first failure: {window.FirstError}");
        }
    }

    private static string Backlog(SubmitResult r) =>
        $"{r.BacklogAtEnd} / {r.BacklogMax} ({r.DrainedIn.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s{(r.NeverDrafted > 0 ? $", {r.NeverDrafted} never drafted" : string.Empty)})";

    private static string Failed(Window w) => w.Failed.ToString(CultureInfo.InvariantCulture);

    private static string Row(params string[] cells) => $"| {string.Join(" | ", cells)} |";

    private static string N(double value) => double.IsNaN(value) ? "–" : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ms(double value) => double.IsNaN(value) ? "–" : value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    private static string Fraction(double value, double ceiling) => ceiling > 0 ? (value / ceiling).ToString("0.00", CultureInfo.InvariantCulture) : "–";

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Os() =>
        File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?["PRETTY_NAME=".Length..].Trim('"') ?? "Linux";
}

internal sealed record ChartPoint(int Concurrency, double Submits, double Drafted, double[] Raw, double? Kestrel, double P50, double P99, double PlanP99);
