using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>Counters read at the start and the end of a measured window.</summary>
public sealed record Snapshot(
    long Timestamp,
    long MachineBusyTicks,
    double BenchCpuSeconds,
    IReadOnlyDictionary<int, long> BackendTicks,
    long WalBytes,
    long WalSyncs,
    long WalFullPageImages,
    long Checkpoints);

/// <summary>What happened between two snapshots.</summary>
public sealed record WindowStats(
    double Seconds,
    double MachineCores,
    double BenchCores,
    double BackendCores,
    double OtherCores,
    long WalBytes,
    long WalSyncs,
    long WalFullPageImages,
    long Checkpoints);

/// <summary>
/// Reads CPU from /proc (machine, this process, and the PostgreSQL backends that serve this benchmark's
/// connections, found by application_name) and WAL counters from PostgreSQL (pg_current_wal_lsn exactly;
/// pg_stat_wal and pg_stat_bgwriter, which are cluster-wide and flushed by backends about once a second).
/// </summary>
public sealed class Probe(NpgsqlDataSource probeSource, string writersApplicationName, int clockTicksPerSecond)
{
    private readonly bool _hasProc = File.Exists("/proc/stat");

    /// <summary>PIDs of the backends currently connected for <c>writersApplicationName</c>.</summary>
    public async Task<int[]> BackendPidsAsync()
    {
        await using var command = probeSource.CreateCommand(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()");
        command.Parameters.AddWithValue(writersApplicationName);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            pids.Add(reader.GetInt32(0));
        }

        return [.. pids];
    }

    public async Task<Snapshot> SnapshotAsync(int[] backendPids)
    {
        long walBytes, walSyncs, fpi, checkpoints;
        await using (var command = probeSource.CreateCommand(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, w.wal_sync, w.wal_fpi, " +
            "b.checkpoints_timed + b.checkpoints_req FROM pg_stat_wal w, pg_stat_bgwriter b"))
        await using (var reader = await command.ExecuteReaderAsync().ConfigureAwait(false))
        {
            await reader.ReadAsync().ConfigureAwait(false);
            walBytes = reader.GetInt64(0);
            walSyncs = reader.GetInt64(1);
            fpi = reader.GetInt64(2);
            checkpoints = reader.GetInt64(3);
        }

        var timestamp = Stopwatch.GetTimestamp();
        var busy = _hasProc ? MachineBusyTicks() : 0;
        var bench = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var backends = backendPids.ToDictionary(pid => pid, pid => _hasProc ? ProcessTicks(pid) : 0);
        return new Snapshot(timestamp, busy, bench, backends, walBytes, walSyncs, fpi, checkpoints);
    }

    public WindowStats Between(Snapshot a, Snapshot b)
    {
        var seconds = Stopwatch.GetElapsedTime(a.Timestamp, b.Timestamp).TotalSeconds;
        var machine = (b.MachineBusyTicks - a.MachineBusyTicks) / (double)clockTicksPerSecond / seconds;
        var bench = (b.BenchCpuSeconds - a.BenchCpuSeconds) / seconds;
        // Per backend, and only over backends alive at both ends: one the pool closed meanwhile must not count negative.
        var ticks = a.BackendTicks.Sum(p => b.BackendTicks.TryGetValue(p.Key, out var end) && end >= p.Value ? end - p.Value : 0);
        var backends = ticks / (double)clockTicksPerSecond / seconds;
        return new WindowStats(seconds, machine, bench, backends, Math.Max(0, machine - bench - backends),
            b.WalBytes - a.WalBytes, b.WalSyncs - a.WalSyncs, b.WalFullPageImages - a.WalFullPageImages, b.Checkpoints - a.Checkpoints);
    }

    /// <summary>user + nice + system + irq + softirq + steal over all CPUs, from the first line of /proc/stat.</summary>
    private static long MachineBusyTicks()
    {
        using var reader = new StreamReader("/proc/stat");
        var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => fields.Length > i ? long.Parse(fields[i], CultureInfo.InvariantCulture) : 0;
        return Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8);
    }

    /// <summary>utime + stime of one process (0 if it is gone); the command name may hold spaces, so parse after ')'.</summary>
    private static long ProcessTicks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
            return long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
