using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Engine;
using TriageResult = SpasmPlatform.Assessment.V1.Triage;

namespace SpasmPlatform.CarePlan.Tests;

/// <summary>The shipped knowledge content and the sample vignettes (samples/assessments), triaged by the real engine.</summary>
internal static class Samples
{
    public static KnowledgeBase Knowledge { get; } = KnowledgeLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "Content"));

    public static SubmitAssessmentRequest Submission(string name) =>
        JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(RepoRoot(), "samples", "assessments", $"{name}.json")));

    public static TriageResult Triage(SubmitAssessmentRequest submission) => TriageEngine.For(Knowledge).Decide(submission);

    public static V1.CarePlan Plan(SubmitAssessmentRequest submission) =>
        Drafting.CarePlanDrafter.Draft(submission, Triage(submission), Knowledge);

    public static V1.CarePlan Plan(string name) => Plan(Submission(name));

    public static IEnumerable<string> Names() =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot(), "samples", "assessments"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)).Order(StringComparer.Ordinal);

    public static string RepoRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SpasmPlatform.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Could not find SpasmPlatform.sln above the test directory.");
    }
}
