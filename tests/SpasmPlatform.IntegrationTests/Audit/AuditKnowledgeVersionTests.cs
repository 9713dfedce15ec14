using SpasmPlatform.Audit.V1;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>
/// A decision made under one knowledge version still replays exactly under it after a newer version is published,
/// and replaying under today's version lists what would be decided differently. Its own host: it moves the current version.
/// </summary>
public sealed class AuditKnowledgeVersionTests(AuditHost host) : IClassFixture<AuditHost>
{
    private const string NewerVersion = "93.1.0";

    [Fact]
    public async Task Replay_under_a_newer_knowledge_version_reports_its_differences()
    {
        var decided = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "versions"))).Assessment;
        Assert.NotEmpty(decided.Triage.LikelyCauses);

        // Only causes scoring 0.99 or more are reported under the newer rules.
        await host.Knowledge.Client.PublishVersionAsync(new PublishVersionRequest
        {
            PublishedBy = "audit-it",
            Files = { KnowledgeContent.Versioned(NewerVersion, ruleSetVersion: NewerVersion, causeThreshold: "0.99") },
        });

        ReplayDecisionResponse current = null!;
        await Eventually.WaitAsync(async () =>
        {
            current = await host.Audit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = decided.AssessmentId, UseCurrentVersions = true });
            return current.KnowledgeVersion == NewerVersion;
        }, TimeSpan.FromSeconds(60), $"the assessment service to switch to {NewerVersion}; its output:\n{host.Service.Output}");

        Assert.False(current.Reproduced);
        Assert.Equal(decided.Triage, current.Recorded);
        Assert.Equal(NewerVersion, current.Replayed.RuleSetVersion);
        Assert.Contains($"knowledge_version: \"{decided.Triage.KnowledgeVersion}\" -> \"{NewerVersion}\"", current.Differences);
        Assert.Contains($"rule_set_version: \"{decided.Triage.RuleSetVersion}\" -> \"{NewerVersion}\"", current.Differences);
        Assert.Contains(current.Differences, d => d.StartsWith("likely_causes[", StringComparison.Ordinal));
        Assert.True(current.Replayed.LikelyCauses.Count < decided.Triage.LikelyCauses.Count);

        // The pinned replay is untouched by the newer version.
        var pinned = await host.Audit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = decided.AssessmentId });
        Assert.True(pinned.Reproduced, string.Join("; ", pinned.Differences));
        Assert.Equal(decided.Triage.KnowledgeVersion, pinned.KnowledgeVersion);

        var (code, output, _) = await SpasmCli.RunAsync("audit", "replay", "--address", host.Service.Address.ToString(), decided.AssessmentId, "--current");
        Assert.Equal(0, code);
        Assert.Contains("DIFFERENCES", output, StringComparison.Ordinal);
        Assert.Contains("likely_causes[", output, StringComparison.Ordinal);
    }
}
