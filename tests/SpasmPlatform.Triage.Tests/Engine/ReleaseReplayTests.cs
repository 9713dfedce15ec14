using System.Text.Json;
using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Triage.Engine;
using TriageResult = SpasmPlatform.Assessment.V1.Triage;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>
/// Decisions recorded by the engine of the 1.1.0 release, under the 1.1.0 knowledge it pinned (both frozen under
/// Releases/): today's engine must reproduce each exactly under 1.1.0 - new engine features are driven by content
/// that 1.1.0 does not have - and under 1.2.0 the risk-factor-alone cases that 1.1.0 left in self-care rise.
/// </summary>
public sealed class ReleaseReplayTests
{
    private static readonly string Releases = Path.Combine(AppContext.BaseDirectory, "Releases");

    private static readonly Lazy<TriageEngine> Release110 = new(() => new TriageEngine(KnowledgeLoader.LoadDirectory(Path.Combine(Releases, "knowledge-1.1.0"))));

    public static TheoryData<string> Names() => new(Recorded().Select(r => r.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void A_decision_made_under_1_1_0_replays_exactly_under_1_1_0(string name)
    {
        var (_, submission, recorded) = Recorded().Single(r => r.Name == name);
        Assert.Equal("1.1.0", recorded.KnowledgeVersion);

        var replayed = Release110.Value.Decide(submission);

        Assert.Equal(recorded, replayed);
    }

    [Theory]
    [InlineData("iv-drug-use-alone", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("immunosuppressed-alone", "spinal_infection", Urgency.Within24Hours)]
    [InlineData("recent-bacterial-infection-alone", "spinal_infection", Urgency.Within24Hours)]
    public void A_risk_factor_left_in_self_care_under_1_1_0_rises_under_1_2_0(string name, string condition, Urgency urgency)
    {
        var (_, submission, recorded) = Recorded().Single(r => r.Name == name);
        Assert.Equal(Urgency.SelfCare, recorded.Urgency);
        Assert.Empty(recorded.SuspectedConditions);

        var current = ShippedKnowledge.Engine.Decide(submission);

        Assert.Equal("1.2.0", current.RuleSetVersion);
        Assert.Equal(urgency, current.Urgency);
        Assert.Contains(current.SuspectedConditions, c => c.Code == condition && c.Concern == Concern.ToConsider);
    }

    [Fact]
    public void The_public_vignettes_keep_their_urgency_and_conditions_under_1_2_0()
    {
        foreach (var (name, submission, recorded) in Recorded().Where(r => r.Name.StartsWith('V')))
        {
            var current = ShippedKnowledge.Engine.Decide(submission);
            Assert.True(recorded.Urgency == current.Urgency, $"{name}: {recorded.Urgency} -> {current.Urgency}");
            Assert.True(recorded.ActWithinMinutes == current.ActWithinMinutes, $"{name}: act within {recorded.ActWithinMinutes} -> {current.ActWithinMinutes}");
            var before = recorded.SuspectedConditions.Select(c => c.Code).ToHashSet();
            Assert.True(before.IsSubsetOf(current.SuspectedConditions.Select(c => c.Code)), $"{name}: lost a condition");
            Assert.Equal(recorded.LikelyCauses, current.LikelyCauses);
        }
    }

    private static IEnumerable<(string Name, SubmitAssessmentRequest Submission, TriageResult Triage)> Recorded()
    {
        foreach (var line in File.ReadLines(Path.Combine(Releases, "decisions-1.1.0.jsonl")))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            yield return (
                root.GetProperty("name").GetString()!,
                JsonParser.Default.Parse<SubmitAssessmentRequest>(root.GetProperty("submission").GetRawText()),
                JsonParser.Default.Parse<TriageResult>(root.GetProperty("triage").GetRawText()));
        }
    }
}
