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
internal sealed record WholeRun(long Events, double Seconds, CpuSplit Cpu, string? Error = null)
{
    public double PerSecond => Events / Seconds;
}

internal static class Whole
{
    public static async Task<WholeRun> RunAsync(Func<Task<long>> run)
    {
        var cpu = CpuSplit.Start();
        var clock = Stopwatch.StartNew();
        try
        {
            var events = await run().ConfigureAwait(false);
            var seconds = clock.Elapsed.TotalSeconds;
            return new WholeRun(events, seconds, cpu.Stop(seconds));
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or InvalidOperationException or NpgsqlException)
        {
            // Reported in its row: one failed whole-store call must not cost the figures already measured.
            var seconds = clock.Elapsed.TotalSeconds;
            return new WholeRun(0, seconds, cpu.Stop(seconds), e.Message);
        }
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

/// <summary>
/// Rows inserted per table of a schema between two snapshots of pg_stat_user_tables: what a submission really costs
/// in writes, the asynchronous ones (plan link, inbox marks) included, and a check that the raw ceiling writes the
/// same rows as the service. PostgreSQL publishes these counters with up to a few seconds' delay, hence the pause.
/// </summary>
internal static class RowsWritten
{
    public static async Task<Dictionary<string, long>> SnapshotAsync(NpgsqlDataSource dataSource, string schema)
    {
        await using var command = dataSource.CreateCommand("SELECT relname, n_tup_ins FROM pg_stat_user_tables WHERE schemaname = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            rows[reader.GetString(0)] = reader.GetInt64(1);
        }

        return rows;
    }

    public static string PerSubmission(Dictionary<string, long> before, Dictionary<string, long> after, long submissions) =>
        submissions == 0 ? "–" : string.Join(", ", after
            .Select(p => (Table: p.Key, Rows: p.Value - before.GetValueOrDefault(p.Key)))
            .Where(p => p.Rows > 0)
            .OrderBy(p => p.Table, StringComparer.Ordinal)
            .Select(p => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{p.Table} {p.Rows / (double)submissions:0.00}")));
}
