using System.Diagnostics;
using Npgsql;

namespace SpasmPlatform.Bench.Platform;

/// <summary>
/// A submit window and the plans it caused: how fast plans were drafted while it ran, how long each took after its
/// submission was acknowledged (the window's submissions only, including those drafted after it ended), and the
/// backlog of acknowledged submissions without a plan.
/// </summary>
internal sealed record SubmitResult(Window Submit, double DraftedPerSecond, double[] PlanMs, int BacklogAtEnd, int BacklogMax, TimeSpan DrainedIn, int NeverDrafted);

/// <summary>One call over a whole store (a history, a verification): events, seconds, CPU split.</summary>
internal sealed record WholeRun(long Events, double Seconds, CpuSplit Cpu)
{
    public double PerSecond => Events / Seconds;
}

internal static class Whole
{
    public static async Task<WholeRun> RunAsync(Func<Task<long>> run)
    {
        var cpu = CpuSplit.Start();
        var clock = Stopwatch.StartNew();
        var events = await run().ConfigureAwait(false);
        var seconds = clock.Elapsed.TotalSeconds;
        return new WholeRun(events, seconds, cpu.Stop(seconds));
    }
}

/// <summary>bench/audit's seed.sql, run by psql: copies one real assessment stream under fresh ids, hashed by the store's own trigger.</summary>
internal static class Seeding
{
    public static async Task RunAsync(Options options, string sourceStream)
    {
        var builder = new NpgsqlConnectionStringBuilder(options.Postgres);
        var start = new ProcessStartInfo("psql")
        {
            ArgumentList =
            {
                "-q", "-X", "-v", "ON_ERROR_STOP=1", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-U", builder.Username!, "-d", builder.Database!, "-v", $"schema={options.AssessmentSchema}", "-v", $"source={sourceStream}",
                "-v", $"count={options.Seed}", "-f", options.SeedSql ?? throw new ArgumentException("--seed needs --seed-sql"),
            },
            RedirectStandardOutput = true,
        };
        start.Environment["PGPASSWORD"] = builder.Password;
        using var psql = Process.Start(start)!;
        await psql.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        await psql.WaitForExitAsync().ConfigureAwait(false);
        if (psql.ExitCode != 0)
        {
            throw new InvalidOperationException($"seed.sql failed (psql exit {psql.ExitCode})");
        }
    }
}
