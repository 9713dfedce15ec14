using System.Text;

namespace SpasmPlatform.Fuzzing;

/// <summary>What a run did: requests sent, answers by status, findings (first few in full, then counted by kind).</summary>
public sealed class FuzzReport(int seed)
{
    public int Seed => seed;

    public int Requests { get; set; }

    public int Iterations { get; set; }

    public int Regressions { get; set; }

    public TimeSpan Duration { get; set; }

    public SortedDictionary<string, int> Statuses { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, int> Mutations { get; } = new(StringComparer.Ordinal);

    public HashSet<string> TargetsHit { get; } = new(StringComparer.Ordinal);

    public List<Finding> Findings { get; } = [];

    public List<string> SavedFindings { get; } = [];

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"fuzz seed {seed} (replay: {FuzzSettings.SeedVariable}={seed}): {Iterations} random requests + {Regressions} seeds/regressions, {Requests} requests in all, {TargetsHit.Count} RPCs, {Duration.TotalSeconds:0.0} s");
        text.AppendLine("answers: " + string.Join(", ", Statuses.Select(s => $"{s.Key} {s.Value}")));
        text.AppendLine("mutations: " + string.Join(", ", Mutations.Select(s => $"{s.Key} {s.Value}")));
        text.AppendLine($"findings: {Findings.Count} ({Findings.Select(f => f.Key).Distinct().Count()} distinct)");
        foreach (var group in Findings.GroupBy(f => f.Key).Take(20))
        {
            text.AppendLine($"  {group.Count()}x {group.First()}");
        }

        foreach (var file in SavedFindings)
        {
            text.AppendLine($"  saved {file}");
        }

        return text.ToString();
    }
}
