using System.Globalization;

namespace SpasmPlatform.Bench.Load;

/// <summary>CPU seconds used by groups of processes (from /proc), so a run's cost can be split between them.</summary>
internal static class CpuSampler
{
    private static readonly double TicksPerSecond = 100.0;

    /// <summary>Group name -> CPU seconds so far: the assessment and knowledge services, PostgreSQL, RabbitMQ, this load generator.</summary>
    public static Dictionary<string, double> Sample()
    {
        var totals = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["assessment"] = 0, ["knowledge"] = 0, ["postgres"] = 0, ["rabbitmq"] = 0, ["loadgen"] = 0, ["other"] = 0,
        };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!pid.All(char.IsDigit))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var seconds = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
                totals[Group(dir, stat, pid)] += seconds;
            }
            catch (IOException)
            {
                // The process ended while we read it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return totals;
    }

    private static string Group(string dir, string stat, string pid)
    {
        if (pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return "loadgen";
        }

        var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
        if (comm.StartsWith("postgres", StringComparison.Ordinal))
        {
            return "postgres";
        }

        if (comm.StartsWith("beam", StringComparison.Ordinal) || comm is "epmd" or "erl_child_setup" or "inet_gethost")
        {
            return "rabbitmq";
        }

        if (comm == "dotnet")
        {
            var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline"));
            if (cmdline.Contains("SpasmPlatform.Assessment", StringComparison.Ordinal))
            {
                return "assessment";
            }

            if (cmdline.Contains("SpasmPlatform.Knowledge", StringComparison.Ordinal))
            {
                return "knowledge";
            }
        }

        return "other";
    }
}
