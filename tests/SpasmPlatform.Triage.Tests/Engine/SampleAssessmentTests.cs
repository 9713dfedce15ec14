using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>
/// samples/assessments/*.json (proto JSON of the vignettes) feed `./spasm up`, the CLI examples and the benchmarks;
/// this keeps them parseable and deciding what guidance expects.
/// </summary>
public sealed class SampleAssessmentTests
{
    public static TheoryData<string, Urgency> Samples => new()
    {
        { "v01-lifting-strain", Urgency.SelfCare },
        { "v02-medium-risk", Urgency.Routine },
        { "v03-high-risk", Urgency.Routine },
        { "v04-cauda-equina", Urgency.Emergency },
        { "v05-mscc", Urgency.Emergency },
        { "v05b-cancer-spinal-pain", Urgency.Within24Hours },
        { "v06-spinal-infection", Urgency.SameDay },
        { "v07-aaa", Urgency.Emergency },
        { "v08-fragility-fracture", Urgency.Within2Weeks },
        { "v09-axial-spa", Urgency.Routine },
        { "v10-sedatives-sciatica", Urgency.SelfCare },
        { "v11-possible-malignancy", Urgency.Within2Weeks },
        { "r03-diabetes-alone", Urgency.Within24Hours },
        { "r09-aaa-risk-profile", Urgency.Routine },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_decides_as_guidance_expects(string name, Urgency expected)
    {
        var path = Path.Combine(RepoRoot(), "samples", "assessments", $"{name}.json");
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(path));

        Assert.Equal(expected, ShippedKnowledge.Engine.Decide(submission).Urgency);
    }

    [Fact]
    public void Every_sample_file_is_covered()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepoRoot(), "samples", "assessments"), "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(Samples.Select(row => (string)row[0]).Order(StringComparer.Ordinal), files);
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "SpasmPlatform.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("SpasmPlatform.sln not found above the test binaries.");
    }
}
