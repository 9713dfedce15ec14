using System.Globalization;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>Command-line options (<c>--name value</c>); run.sh maps its environment variables onto them.</summary>
public sealed class BenchOptions
{
    public string Connection { get; private set; } = Environment.GetEnvironmentVariable("SPASM_POSTGRES") ?? string.Empty;

    public double WarmupSeconds { get; private set; } = 2;

    public double DurationSeconds { get; private set; } = 8;

    public int Repeats { get; private set; } = 3;

    public int[] Writers { get; private set; } = [1, 8];

    public int[] Batches { get; private set; } = [1, 10, 100];

    public string[] Kinds { get; private set; } = ["ours", "raw"];

    public int StreamsPerWriter { get; private set; } = 16;

    public int ReadEvents { get; private set; } = 10_000;

    public int ReadWarmups { get; private set; } = 5;

    public int ReadRepeats { get; private set; } = 30;

    public string Amqp { get; private set; } = Environment.GetEnvironmentVariable("SPASM_RABBITMQ") ?? "amqp://spasm:spasm@127.0.0.1:55672/";

    /// <summary>Messages in each outbox backlog the relay drains; 0 skips the relay benchmark.</summary>
    public int RelayMessages { get; private set; } = 10_000;

    public int RelayRepeats { get; private set; } = 3;

    public bool SkipAppends { get; private set; }

    public bool SkipRead { get; private set; }

    public bool KeepSchema { get; private set; }

    /// <summary>Only create the schema (with raw_events and one sample event), print its name and keep it: for profile.sh.</summary>
    public bool SetupOnly { get; private set; }

    public string Results { get; private set; } = "results.md";

    public string Tsv { get; private set; } = "out/runs.tsv";

    public string Commit { get; private set; } = "unknown";

    public int ClockTicks { get; private set; } = 100;

    public string FsyncProbe { get; private set; } = string.Empty;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value");
            switch (name)
            {
                case "--connection": options.Connection = Value(); break;
                case "--warmup": options.WarmupSeconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--duration": options.DurationSeconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--repeats": options.Repeats = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--writers": options.Writers = Ints(Value()); break;
                case "--batches": options.Batches = Ints(Value()); break;
                case "--kinds": options.Kinds = Words(Value()); break;
                case "--streams-per-writer": options.StreamsPerWriter = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--read-events": options.ReadEvents = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--read-warmups": options.ReadWarmups = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--read-repeats": options.ReadRepeats = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--amqp": options.Amqp = Value(); break;
                case "--relay-messages": options.RelayMessages = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--relay-repeats": options.RelayRepeats = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--skip-appends": options.SkipAppends = true; break;
                case "--skip-read": options.SkipRead = true; break;
                case "--keep-schema": options.KeepSchema = true; break;
                case "--setup-only": options.SetupOnly = true; break;
                case "--results": options.Results = Value(); break;
                case "--tsv": options.Tsv = Value(); break;
                case "--commit": options.Commit = Value(); break;
                case "--clock-ticks": options.ClockTicks = int.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--fsync-probe": options.FsyncProbe = Value(); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Connection))
        {
            throw new ArgumentException("no connection string: set SPASM_POSTGRES or pass --connection");
        }

        foreach (var kind in options.Kinds)
        {
            if (kind is not ("ours" or "raw" or "raw-values"))
            {
                throw new ArgumentException($"unknown kind '{kind}' (ours, raw, raw-values)");
            }
        }

        return options;
    }

    private static string[] Words(string value) =>
        value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int[] Ints(string value) => [.. Words(value).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
}
