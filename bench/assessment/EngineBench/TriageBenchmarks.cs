using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Triage.Engine;

namespace SpasmPlatform.Bench.Engine;

/// <summary>
/// One operation = one triage of one submission, cycling through the twelve sample vignettes (emergencies, red-flag
/// mixes, STarT Back strata, NG65): the engine exactly as the assessment service calls it, rules compiled once.
/// </summary>
[MemoryDiagnoser]
// In process: a generated child project would re-restore the service graph (MassTransit) and trip NU1605.
[InProcess]
public class TriageBenchmarks
{
    private TriageEngine _engine = null!;
    private SubmitAssessmentRequest[] _samples = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var root = RepoRoot();
        var knowledge = KnowledgeLoader.LoadDirectory(Path.Combine(root, "services", "Knowledge", "SpasmPlatform.Knowledge", "Content"));
        _engine = TriageEngine.For(knowledge);
        _samples = Directory.EnumerateFiles(Path.Combine(root, "samples", "assessments"), "*.json")
            .Order(StringComparer.Ordinal)
            .Select(f => JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(f)))
            .ToArray();
    }

    [Benchmark]
    public SpasmPlatform.Assessment.V1.Triage Decide()
    {
        var submission = _samples[_next];
        _next = (_next + 1) % _samples.Length;
        return _engine.Decide(submission);
    }

    [Benchmark]
    public SpasmPlatform.Assessment.V1.Triage DecideEmergency() => _engine.Decide(_samples[3]);

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SpasmPlatform.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Run from inside the repository.");
    }
}
