using System.Globalization;

namespace SpasmPlatform.Bench.CarePlan;

/// <summary>One measured run at one rate: how long each plan took to become readable after SubmitAssessment replied.</summary>
internal sealed record PlanRun(
    int Rate, long Scheduled, double Seconds, long SubmitFailed, long NeverReadable, long Polls, long PollErrors, double[] SubmitMs, double[] PlanMs)
{
    public const string Header = "rate/s\tscheduled\tachieved/s\tplan p50 ms\tplan p90 ms\tplan p99 ms\tplan max ms\tsubmit p50 ms\tsubmit p99 ms\tpolls/plan\tpoll errors\tsubmit failed\tnever readable";

    public string ToRow() => string.Join('\t',
        Rate.ToString(CultureInfo.InvariantCulture),
        Scheduled.ToString(CultureInfo.InvariantCulture),
        (PlanMs.Length / Seconds).ToString("0", CultureInfo.InvariantCulture),
        Ms(Percentile(PlanMs, 50)), Ms(Percentile(PlanMs, 90)), Ms(Percentile(PlanMs, 99)), Ms(PlanMs.Length == 0 ? double.NaN : PlanMs.Max()),
        Ms(Percentile(SubmitMs, 50)), Ms(Percentile(SubmitMs, 99)),
        (PlanMs.Length == 0 ? 0 : Polls / (double)(PlanMs.Length + NeverReadable)).ToString("0.0", CultureInfo.InvariantCulture),
        PollErrors.ToString(CultureInfo.InvariantCulture),
        SubmitFailed.ToString(CultureInfo.InvariantCulture),
        NeverReadable.ToString(CultureInfo.InvariantCulture));

    private static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);

    private static double Percentile(double[] values, double p)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)];
    }
}
