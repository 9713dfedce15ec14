using System.Diagnostics;

namespace SpasmPlatform.Bench.EventStore;

public sealed record CellSpec(string Kind, int Writers, int Batch);

/// <summary>One measured run of one cell.</summary>
public sealed record AppendRun(
    CellSpec Spec,
    int Repeat,
    long Appends,
    long Events,
    double MeanMs,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    WindowStats Window,
    long AllAppends,
    long AllEvents)
{
    public double EventsPerSecond => Events / Window.Seconds;

    public double AppendsPerSecond => Appends / Window.Seconds;
}

/// <summary>
/// Runs W writers, each in a loop over its own streams (round robin, exact expected version), for a warm-up and then
/// a measured window. An append counts if it completed inside the window; its latency is from just before the
/// payload is built to the end of COMMIT. Every append of the run (warm-up and stragglers too) is tallied so the
/// row count in the table can be checked afterwards.
/// </summary>
public sealed class AppendRunner(Probe probe, TimeSpan warmup, TimeSpan duration, int streamsPerWriter)
{
    private readonly struct Completion(long end, long ticks)
    {
        public long End { get; } = end;

        public long Ticks { get; } = ticks;
    }

    public async Task<AppendRun> RunAsync(CellSpec spec, int repeat, IAppender appender, string tag)
    {
        var stopping = 0;
        var completions = new List<Completion>[spec.Writers];
        var writers = new Task[spec.Writers];
        for (var w = 0; w < spec.Writers; w++)
        {
            var list = completions[w] = new List<Completion>(1 << 14);
            var streams = Enumerable.Range(0, streamsPerWriter)
                .Select(k => new WriterStream($"{tag}-{spec.Kind}-w{spec.Writers}-b{spec.Batch}-r{repeat}-{w}-{k}"))
                .ToArray();
            var payloads = new PayloadFactory(seed: (repeat * 1000) + w);
            writers[w] = Task.Run(async () =>
            {
                var next = 0;
                while (Volatile.Read(ref stopping) == 0)
                {
                    var stream = streams[next];
                    next = (next + 1) % streams.Length;
                    var start = Stopwatch.GetTimestamp();
                    await appender.AppendAsync(stream, spec.Batch, payloads).ConfigureAwait(false);
                    var end = Stopwatch.GetTimestamp();
                    list.Add(new Completion(end, end - start));
                }
            });
        }

        try
        {
            await WhenAllOrFirstFailure(writers, warmup).ConfigureAwait(false);
            var pids = await probe.BackendPidsAsync().ConfigureAwait(false);
            var before = await probe.SnapshotAsync(pids).ConfigureAwait(false);
            await WhenAllOrFirstFailure(writers, duration).ConfigureAwait(false);
            var after = await probe.SnapshotAsync(pids).ConfigureAwait(false);
            Volatile.Write(ref stopping, 1);
            await Task.WhenAll(writers).ConfigureAwait(false);

            var window = probe.Between(before, after);
            var durations = new List<double>();
            long all = 0;
            foreach (var list in completions)
            {
                all += list.Count;
                foreach (var c in list)
                {
                    if (c.End >= before.Timestamp && c.End <= after.Timestamp)
                    {
                        durations.Add(c.Ticks * 1000.0 / Stopwatch.Frequency);
                    }
                }
            }

            durations.Sort();
            return new AppendRun(spec, repeat, durations.Count, (long)durations.Count * spec.Batch,
                durations.Count == 0 ? 0 : durations.Average(), Stats.Percentile(durations, 50), Stats.Percentile(durations, 99),
                durations.Count == 0 ? 0 : durations[^1], window, all, all * spec.Batch);
        }
        finally
        {
            Volatile.Write(ref stopping, 1);
            try
            {
                await Task.WhenAll(writers).ConfigureAwait(false);
            }
            catch (Exception) when (writers.Any(t => t.IsFaulted))
            {
                // Already reported by the first await that saw it.
            }
        }
    }

    /// <summary>Waits <paramref name="delay"/>, but throws at once if a writer failed in the meantime.</summary>
    private static async Task WhenAllOrFirstFailure(Task[] writers, TimeSpan delay)
    {
        var timer = Task.Delay(delay);
        var pending = writers.Append(timer).ToList();
        while (true)
        {
            var done = await Task.WhenAny(pending).ConfigureAwait(false);
            if (done == timer)
            {
                return;
            }

            await done.ConfigureAwait(false); // rethrows a writer's exception
            pending.Remove(done);
            if (pending.Count == 1)
            {
                throw new InvalidOperationException("every writer stopped before the end of the run");
            }
        }
    }
}

public static class Stats
{
    /// <summary>Nearest-rank percentile of an ascending list (0 when empty).</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(p / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
