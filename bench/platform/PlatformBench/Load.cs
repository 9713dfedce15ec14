using System.Collections.Concurrent;
using System.Diagnostics;

namespace SpasmPlatform.Bench.Platform;

/// <summary>One measured window: calls that completed in it, their latencies, and the CPU each process group used meanwhile.</summary>
internal sealed record Window(double Seconds, long Completed, long Failed, double[] LatenciesMs, CpuSplit Cpu, string? FirstError)
{
    public double PerSecond => Completed / Seconds;

    public double P50 => Percentile(50);

    public double P99 => Percentile(99);

    public double Percentile(double p) => Stats.Percentile(LatenciesMs, p);
}

/// <summary>
/// The two shapes of load. Closed loop: C callers, each sending the next call when the last answers (what C in flight
/// can push through). Open loop: calls start on a fixed schedule whatever the answers do, and latency counts from the
/// scheduled start, so a stall shows in the percentiles instead of silently slowing the sender (no coordinated omission).
/// An operation returns null on success or a short error text.
/// </summary>
internal static class Load
{
    public static async Task<Window> ClosedAsync(int concurrency, TimeSpan warmup, TimeSpan duration, Func<long, Task<string?>> call, Action? measuring = null)
    {
        long sequence = 0;
        await ClosedWindowAsync(concurrency, warmup, call, () => Interlocked.Increment(ref sequence), record: false);
        measuring?.Invoke();
        return await ClosedWindowAsync(concurrency, duration, call, () => Interlocked.Increment(ref sequence), record: true);
    }

    public static async Task<Window> OpenAsync(int perSecond, TimeSpan warmup, TimeSpan duration, Func<long, Task<string?>> call, Action? measuring = null)
    {
        long sequence = 0;
        await OpenWindowAsync(perSecond, warmup, call, () => Interlocked.Increment(ref sequence), record: false);
        measuring?.Invoke();
        return await OpenWindowAsync(perSecond, duration, call, () => Interlocked.Increment(ref sequence), record: true);
    }

    private static async Task<Window> ClosedWindowAsync(int concurrency, TimeSpan length, Func<long, Task<string?>> call, Func<long> next, bool record)
    {
        long completed = 0, failed = 0;
        string? firstError = null;
        var latencies = new ConcurrentBag<double[]>();
        var cpu = CpuSplit.Start();
        var started = Stopwatch.GetTimestamp();
        var until = started + (long)(length.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var mine = new List<double>(4096);
            while (Stopwatch.GetTimestamp() < until)
            {
                var start = Stopwatch.GetTimestamp();
                var error = await call(next()).ConfigureAwait(false);
                if (error is null)
                {
                    mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    Interlocked.Increment(ref completed);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }

            latencies.Add([.. mine]);
        })));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Window(seconds, completed, failed, record ? [.. latencies.SelectMany(l => l)] : [], cpu.Stop(seconds), firstError);
    }

    private static async Task<Window> OpenWindowAsync(int perSecond, TimeSpan length, Func<long, Task<string?>> call, Func<long> next, bool record)
    {
        long completed = 0, failed = 0;
        string? firstError = null;
        var latencies = new ConcurrentBag<double>();
        var total = (long)(perSecond * length.TotalSeconds);
        var interval = Stopwatch.Frequency / (double)perSecond;
        var cpu = CpuSplit.Start();
        var origin = Stopwatch.GetTimestamp();
        var inFlight = new List<Task>();
        for (long i = 0; i < total; i++)
        {
            var scheduled = origin + (long)(i * interval);
            var wait = scheduled - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 1000)
            {
                await Task.Delay(TimeSpan.FromSeconds(wait / (double)Stopwatch.Frequency)).ConfigureAwait(false);
            }

            inFlight.Add(Task.Run(async () =>
            {
                var error = await call(next()).ConfigureAwait(false);
                if (error is null)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(scheduled).TotalMilliseconds);
                    Interlocked.Increment(ref completed);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                    Interlocked.CompareExchange(ref firstError, error, null);
                }
            }));
            if (inFlight.Count >= 4096)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        // The scheduled length, not the time until the last answer: achieved = answered / what was offered over the window.
        var seconds = Math.Max(length.TotalSeconds, Stopwatch.GetElapsedTime(origin).TotalSeconds);
        return new Window(seconds, completed, failed, record ? [.. latencies] : [], cpu.Stop(Stopwatch.GetElapsedTime(origin).TotalSeconds), firstError);
    }
}

internal static class Stats
{
    public static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
