using System.Globalization;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>Command-line options (<c>--name value</c>); run.sh maps its environment variables onto them.</summary>
public sealed class BenchOptions
{
    public static readonly string[] AllKinds = ["ours", "raw", "raw-notrigger"];

    public string Connection { get; private set; } = Environment.GetEnvironmentVariable("SPASM_POSTGRES") ?? string.Empty;

    public double WarmupSeconds { get; private set; } = 2;

    public double DurationSeconds { get; private set; } = 8;

    public int Repeats { get; private set; } = 3;

    public int[] Writers { get; private set; } = [1, 8];

    public int[] Batches { get; private set; } = [1, 10, 100];

    public string[] Kinds { get; private set; } = ["ours", "raw"];

    public int StreamsPerWriter { get; private set; } = 16;

    /// <summary>Length of the stream read and folded; 0 skips the read benchmark.</summary>
    public int ReadEvents { get; private set; } = 10_000;

    public int ReadWarmups { get; private set; } = 5;

    public int ReadRepeats { get; private set; } = 30;

    /// <summary>Passes of VerifyAsync over the whole schema (after the appends); 0 skips it.</summary>
    public int VerifyRepeats { get; private set; } = 3;

    public string Amqp { get; private set; } = Environment.GetEnvironmentVariable("SPASM_RABBITMQ") ?? string.Empty;

    /// <summary>Messages in each outbox backlog the relay drains; 0 skips the relay benchmark.</summary>
    public int RelayMessages { get; private set; } = 10_000;

    public int RelayRepeats { get; private set; } = 3;

    /// <summary>OutboxRelayOptions.MaxInFlightPerStream: 1 (the default) is strict per-stream order.</summary>
    public int RelayInFlight { get; private set; } = 1;

    public bool KeepSchema { get; private set; }

    public string Results { get; private set; } = "out/latest.md";

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
            int Int() => int.Parse(Value(), CultureInfo.InvariantCulture);
            switch (name)
            {
                case "--connection": options.Connection = Value(); break;
                case "--warmup": options.WarmupSeconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--duration": options.DurationSeconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
                case "--repeats": options.Repeats = Int(); break;
                case "--writers": options.Writers = Ints(Value()); break;
                case "--batches": options.Batches = Ints(Value()); break;
                case "--kinds": options.Kinds = Words(Value()); break;
                case "--streams-per-writer": options.StreamsPerWriter = Int(); break;
                case "--read-events": options.ReadEvents = Int(); break;
                case "--read-warmups": options.ReadWarmups = Int(); break;
                case "--read-repeats": options.ReadRepeats = Int(); break;
                case "--verify-repeats": options.VerifyRepeats = Int(); break;
                case "--amqp": options.Amqp = Value(); break;
                case "--relay-messages": options.RelayMessages = Int(); break;
                case "--relay-repeats": options.RelayRepeats = Int(); break;
                case "--relay-in-flight": options.RelayInFlight = Int(); break;
                case "--keep-schema": options.KeepSchema = true; break;
                case "--results": options.Results = Value(); break;
                case "--tsv": options.Tsv = Value(); break;
                case "--commit": options.Commit = Value(); break;
                case "--clock-ticks": options.ClockTicks = Int(); break;
                case "--fsync-probe": options.FsyncProbe = Value(); break;
                default: throw new ArgumentException($"unknown option {name}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Connection))
        {
            throw new ArgumentException("no connection string: set SPASM_POSTGRES or pass --connection");
        }

        if (options.RelayMessages > 0 && string.IsNullOrWhiteSpace(options.Amqp))
        {
            throw new ArgumentException("no broker: set SPASM_RABBITMQ, pass --amqp, or --relay-messages 0");
        }

        if (options.Kinds.FirstOrDefault(k => !AllKinds.Contains(k)) is { } unknown)
        {
            throw new ArgumentException($"unknown kind '{unknown}' ({string.Join(", ", AllKinds)})");
        }

        return options;
    }

    private static string[] Words(string value) =>
        value.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static int[] Ints(string value) => [.. Words(value).Select(v => int.Parse(v, CultureInfo.InvariantCulture))];
}
