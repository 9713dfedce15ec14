using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>
/// The risk-factor release through the real services: a platform that starts on the frozen 1.1.0 knowledge decides a
/// person who injects drugs, with nothing else ticked, as self-care; once 1.2.0 is published the pinned replay still
/// reproduces that decision exactly, and replay under today's version reports the new urgency and the condition to
/// consider. A new client's submission with the new fields is then decided under 1.2.0.
/// </summary>
public sealed class AuditRiskFactorReleaseTests(AuditRiskFactorReleaseTests.Release110Host host) : IClassFixture<AuditRiskFactorReleaseTests.Release110Host>
{
    [Fact]
    public async Task A_1_1_0_decision_replays_unchanged_and_1_2_0_reports_the_risk_factor()
    {
        var submission = Submissions.LiftingStrain(Submissions.NewId("clinic"), "ivdu-alone");
        submission.RedFlags = new RedFlags { IvDrugUse = true };
        var decided = (await host.Client.SubmitAssessmentAsync(submission)).Assessment;
        Assert.Equal(("1.1.0", Urgency.SelfCare), (decided.Triage.KnowledgeVersion, decided.Triage.Urgency));
        Assert.Empty(decided.Triage.SuspectedConditions);

        await host.Knowledge.Client.PublishVersionAsync(new PublishVersionRequest { PublishedBy = "audit-it", Files = { KnowledgeContent.Files() } });

        ReplayDecisionResponse current = null!;
        await Eventually.WaitAsync(async () =>
        {
            current = await host.Audit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = decided.AssessmentId, UseCurrentVersions = true });
            return current.KnowledgeVersion == KnowledgeContent.BundledVersion;
        }, TimeSpan.FromSeconds(60), $"the assessment service to switch to {KnowledgeContent.BundledVersion}; its output:\n{host.Service.Output}");

        Assert.False(current.Reproduced);
        Assert.Contains("urgency: SelfCare -> Within24Hours", current.Differences);
        Assert.Contains(current.Differences, d => d.StartsWith("suspected_conditions[0]: (absent) -> ", StringComparison.Ordinal) && d.Contains("spinal_infection", StringComparison.Ordinal));
        var infection = Assert.Single(current.Replayed.SuspectedConditions);
        Assert.Equal(("spinal_infection", Concern.ToConsider), (infection.Code, infection.Concern));
        Assert.Contains("red_flags.fever_or_rigors", infection.MoreUrgentIf);

        var pinned = await host.Audit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = decided.AssessmentId });
        Assert.True(pinned.Reproduced, string.Join("; ", pinned.Differences));
        Assert.Equal("1.1.0", pinned.KnowledgeVersion);

        var fresh = Submissions.LiftingStrain(decided.ClinicId, "new-fields");
        fresh.AgeYears = 61;
        fresh.Presentation.AgeAtFirstOnsetYears = 60;
        fresh.RedFlags = new RedFlags { RecentSpinalSurgeryOrInjection = true };
        var newer = (await host.Client.SubmitAssessmentAsync(fresh)).Assessment.Triage;
        Assert.Equal((KnowledgeContent.BundledVersion, Urgency.SameDay), (newer.KnowledgeVersion, newer.Urgency));
        Assert.Equal(
            ["red_flags.recent_spinal_surgery_or_injection", "presentation.age_at_first_onset_years"],
            newer.SuspectedConditions.Single(c => c.Code == "spinal_infection").Findings);
    }

    /// <summary>An audit host whose knowledge service starts on the 1.1.0 release frozen for replay tests.</summary>
    public sealed class Release110Host : AuditHost
    {
        protected override IReadOnlyDictionary<string, string>? KnowledgeSettings => new Dictionary<string, string>
        {
            ["Knowledge__ContentPath"] = Path.Combine(Platform.RepoRoot, "tests", "SpasmPlatform.Triage.Tests", "Releases", "knowledge-1.1.0"),
        };
    }
}
