using System.Globalization;

namespace SpasmPlatform.Bench.Load;

/// <summary>One measured run: completed calls, failures, latency percentiles and CPU cores per process group.</summary>
internal sealed record Measurement(string Mode, string Load, double Seconds, long Completed, long Failed, long Duplicates, double[] LatenciesMs, Dictionary<string, double> CpuCores)
{
    public double Throughput => Completed / Seconds;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0)
        {
            return double.NaN;
        }

        var sorted = LatenciesMs.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)];
    }

    public string ToRow() => string.Join('\t',
        Mode, Load, Throughput.ToString("0", CultureInfo.InvariantCulture),
        Percentile(50).ToString("0.00", CultureInfo.InvariantCulture),
        Percentile(90).ToString("0.00", CultureInfo.InvariantCulture),
        Percentile(99).ToString("0.00", CultureInfo.InvariantCulture),
        Failed.ToString(CultureInfo.InvariantCulture), Duplicates.ToString(CultureInfo.InvariantCulture),
        string.Join(' ', new[] { "assessment", "knowledge", "postgres", "rabbitmq", "loadgen", "other" }
            .Select(g => $"{g}={CpuCores.GetValueOrDefault(g):0.00}")));

    public const string Header = "mode\tload\tcalls/s\tp50 ms\tp90 ms\tp99 ms\tfailed\tduplicates\tCPU cores";
}
