using System.Globalization;

namespace SpasmPlatform.Bench.Platform;

/// <summary>The command line, as run.sh passes it: "--name value" pairs; every knob has a default that run.sh also documents.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> _values;

    private Options(Dictionary<string, string> values) => _values = values;

    public static Options Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        return new Options(values);
    }

    /// <summary>One assessment service address per instance; calls are spread over them round robin.</summary>
    public IReadOnlyList<Uri> Assessment => [.. Required("assessment").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(a => new Uri(a))];

    public string Samples => Required("samples");

    public string Postgres => Required("postgres");

    public string AssessmentSchema => Text("assessment-schema", "assessment");

    public string CarePlanSchema => Text("careplan-schema", "careplan");

    public bool MutualTls => Text("security", "development") == "mtls";

    public string? Certs => _values.GetValueOrDefault("certs");

    public Uri? Ceiling => _values.TryGetValue("ceiling", out var c) && c.Length > 0 ? new Uri(c) : null;

    public int[] Concurrency => Numbers("concurrency", "1,16,64");

    public TimeSpan Duration => Seconds("duration", 15);

    public TimeSpan Warmup => Seconds("warmup", 3);

    public int Rate => Numbers("rate", "500")[0];

    public int ReadConcurrency => Numbers("read-concurrency", "64")[0];

    public int TraceConcurrency => Numbers("trace-concurrency", "8")[0];

    /// <summary>
    /// Submissions per transaction in the raw write ceiling, one ceiling per value: 1 is one commit per submission; the
    /// services group concurrent submissions into one commit, so a larger batch is the like-for-like ceiling at load.
    /// </summary>
    public int[] RawBatches => Numbers("raw-batch", "1,16");

    public TimeSpan Poll => TimeSpan.FromMilliseconds(Numbers("poll-ms", "5")[0]);

    public TimeSpan Drain => Seconds("drain", 60);

    public int Seed => Numbers("seed", "0")[0];

    public string? SeedSql => _values.GetValueOrDefault("seed-sql");

    public ISet<string> Scenarios => Text("scenarios", "submit,open,reads,audit").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    public string Out => Required("out");

    public string Command => Text("command", "bench/platform/run.sh");

    public string Note => Text("note", string.Empty);

    /// <summary>The checkout the measured services run from (CPU of other checkouts' services counts as "other").</summary>
    public string? ServiceRoot => _values.GetValueOrDefault("service-root");

    public int Instances => Assessment.Count;

    /// <summary>The raw write ceiling's scratch schema (run.sh names it, so that its cleanup can drop it whatever happens).</summary>
    public string? ScratchSchema => _values.GetValueOrDefault("scratch-schema");

    public bool KeepScratch => Text("keep-scratch", "0") == "1";

    private string Required(string name) =>
        _values.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new ArgumentException($"--{name} is required");

    private string Text(string name, string fallback) => _values.TryGetValue(name, out var value) && value.Length > 0 ? value : fallback;

    private TimeSpan Seconds(string name, double fallback) =>
        TimeSpan.FromSeconds(_values.TryGetValue(name, out var value) && value.Length > 0 ? double.Parse(value, CultureInfo.InvariantCulture) : fallback);

    private int[] Numbers(string name, string fallback) =>
        [.. Text(name, fallback).Split([',', ' '], StringSplitOptions.RemoveEmptyEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture))];
}
