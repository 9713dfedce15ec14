using System.Globalization;

namespace SpasmPlatform.Fuzzing;

/// <summary>
/// What a run does, from the environment: SPASM_FUZZ_SEED replays a run exactly (the requests sent depend only on
/// the seed), SPASM_FUZZ_ITERATIONS bounds it, SPASM_FUZZ_FINDINGS is where new findings are written (default: the
/// test output folder; tests/fuzz/run.sh points it at the corpus).
/// </summary>
public sealed record FuzzSettings(int Seed, int Iterations, string CorpusDirectory, string FindingsDirectory)
{
    public const string SeedVariable = "SPASM_FUZZ_SEED";
    public const string IterationsVariable = "SPASM_FUZZ_ITERATIONS";
    public const string FindingsVariable = "SPASM_FUZZ_FINDINGS";

    public static FuzzSettings FromEnvironment(int defaultIterations)
    {
        var seed = Environment.GetEnvironmentVariable(SeedVariable) is { Length: > 0 } s
            ? int.Parse(s, CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        var iterations = Environment.GetEnvironmentVariable(IterationsVariable) is { Length: > 0 } i
            ? int.Parse(i, CultureInfo.InvariantCulture)
            : defaultIterations;
        var corpus = Path.Combine(RepoRoot, "tests", "fuzz", "corpus");
        var findings = Environment.GetEnvironmentVariable(FindingsVariable) is { Length: > 0 } f
            ? Path.GetFullPath(f, RepoRoot)
            : Path.Combine(AppContext.BaseDirectory, "TestResults", "fuzz-findings");
        return new FuzzSettings(seed, iterations, corpus, findings);
    }

    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SpasmPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find SpasmPlatform.sln above the test directory.");
    }
}
