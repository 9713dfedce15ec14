using System.Globalization;

namespace SpasmPlatform.Bench.Platform;

/// <summary>
/// CPU seconds per process group over a window, from /proc: each service (all its instances together), PostgreSQL,
/// RabbitMQ, this load generator, the Kestrel ceiling, and "other" = the machine's busy time (/proc/stat) minus all of
/// those, so work by processes that came and went inside the window (other people's builds) is not lost.
/// </summary>
internal sealed class CpuSplit
{
    public static readonly string[] Groups = ["assessment", "care-plan", "knowledge", "postgres", "rabbitmq", "loadgen", "ceiling", "other"];

    /// <summary>
    /// The checkout whose services are measured: another checkout's services on the same machine (a colleague's
    /// ./spasm up) run from their own folder and count as "other". Null: every service process counts.
    /// </summary>
    public static string? ServiceRoot { get; set; }

    private const double TicksPerSecond = 100.0;
    private readonly Dictionary<int, (string Group, double Seconds)> _before;
    private readonly double _busyBefore;

    private CpuSplit(Dictionary<int, (string Group, double Seconds)> before, double busyBefore)
    {
        _before = before;
        _busyBefore = busyBefore;
    }

    /// <summary>Cores used per group over the window (CPU seconds / wall seconds).</summary>
    public IReadOnlyDictionary<string, double> Cores { get; private set; } = new Dictionary<string, double>();

    public double Total => Cores.Values.Sum();

    public static CpuSplit Start() => new(Sample(), MachineBusySeconds());

    public CpuSplit Stop(double seconds)
    {
        var after = Sample();
        var busy = MachineBusySeconds() - _busyBefore;
        // Per process: a process that started in the window counts all its time; one that ended in it loses what it used
        // (it shows in "other", through the machine's busy time). Summing per group instead would let a busy process
        // that exits (another user's database session) cancel the time of those that stayed.
        var cores = Groups.Where(g => g != "other").ToDictionary(g => g, _ => 0.0);
        foreach (var (pid, (group, used)) in after)
        {
            var earlier = _before.TryGetValue(pid, out var b) && b.Group == group ? b.Seconds : 0;
            cores[group] += Math.Max(0, used - earlier) / seconds;
        }

        cores["other"] = Math.Max(0, busy / seconds - cores.Values.Sum());
        Cores = cores;
        return this;
    }

    /// <summary>CPU microseconds per completed operation for a group: what one call costs that process group.</summary>
    public double MicrosPerCall(string group, double callsPerSecond) => callsPerSecond <= 0 ? double.NaN : Cores.GetValueOrDefault(group) / callsPerSecond * 1e6;

    private static double MachineBusySeconds()
    {
        // cpu  user nice system idle iowait irq softirq steal ...: busy = all but idle and iowait.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = fields.Skip(1).Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return (ticks.Take(8).Sum() - ticks[3] - ticks[4]) / TicksPerSecond;
    }

    private static Dictionary<int, (string Group, double Seconds)> Sample()
    {
        var totals = new Dictionary<int, (string Group, double Seconds)>();
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!pid.All(char.IsAsciiDigit))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var seconds = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                if (Group(dir, stat, pid == self) is { } group)
                {
                    totals[int.Parse(pid, CultureInfo.InvariantCulture)] = (group, seconds);
                }
            }
            catch (IOException)
            {
                // The process ended while it was read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return totals;
    }

    private static string? Group(string dir, string stat, bool self)
    {
        if (self)
        {
            return "loadgen";
        }

        var comm = stat[(stat.IndexOf('(', StringComparison.Ordinal) + 1)..stat.LastIndexOf(')')];
        if (comm.StartsWith("postgres", StringComparison.Ordinal))
        {
            return "postgres";
        }

        if (comm.StartsWith("beam", StringComparison.Ordinal) || comm is "epmd" or "erl_child_setup" or "inet_gethost")
        {
            return "rabbitmq";
        }

        if (comm != "dotnet")
        {
            return null;
        }

        if (ServiceRoot is not null && !Cwd(dir).StartsWith(ServiceRoot, StringComparison.Ordinal))
        {
            return null;
        }

        var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
        return cmdline.Contains("SpasmPlatform.Assessment.dll", StringComparison.Ordinal) ? "assessment"
            : cmdline.Contains("SpasmPlatform.CarePlan.dll", StringComparison.Ordinal) ? "care-plan"
            : cmdline.Contains("SpasmPlatform.Knowledge.dll", StringComparison.Ordinal) ? "knowledge"
            : cmdline.Contains("KestrelCeiling.dll", StringComparison.Ordinal) ? "ceiling"
            : null;
    }

    private static string Cwd(string dir)
    {
        try
        {
            return new DirectoryInfo(Path.Combine(dir, "cwd")).ResolveLinkTarget(returnFinalTarget: false)?.FullName ?? string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
