using SpasmPlatform.Assessment.V1;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>
/// A newly published knowledge version reaches new submissions without a restart (through the
/// KnowledgeVersionPublished announcement), while decisions already made stay pinned to their versions.
/// Its own host: it moves the current version.
/// </summary>
public sealed class AssessmentKnowledgeSwitchTests(AssessmentHost host) : IClassFixture<AssessmentHost>
{
    [Fact]
    public async Task A_higher_published_version_is_used_for_new_submissions_and_old_decisions_stay_pinned()
    {
        var clinic = Submissions.NewId("clinic");
        var before = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, "before"))).Assessment;
        Assert.Equal(KnowledgeContent.BundledVersion, before.Triage.KnowledgeVersion);

        var published = await host.Knowledge.Client.PublishVersionAsync(new PublishVersionRequest
        {
            PublishedBy = "physio-lead-it",
            Files = { KnowledgeContent.Versioned("91.0.0", ruleSetVersion: "91.0.0") },
        });
        Assert.False(published.Duplicate);

        // The switch is asynchronous (outbox -> broker -> consumer): new submissions pick it up once it arrives.
        SpasmPlatform.Assessment.V1.Assessment? after = null;
        var attempt = 0;
        await Eventually.WaitAsync(async () =>
        {
            after = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, $"after-{attempt++}"))).Assessment;
            return after.Triage.KnowledgeVersion == "91.0.0";
        }, TimeSpan.FromSeconds(60), $"new submissions to use knowledge version 91.0.0; service output:\n{host.Service.Output}");

        Assert.Equal("91.0.0", after!.Triage.RuleSetVersion);
        Assert.Equal(before.Triage.Urgency, after.Triage.Urgency);

        // The earlier decision keeps the versions it was made with.
        var reread = await host.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = before.AssessmentId });
        Assert.Equal(before, reread);
        Assert.Equal(KnowledgeContent.BundledVersion, reread.Triage.KnowledgeVersion);
        Assert.Equal(KnowledgeContent.BundledRuleSetVersion, reread.Triage.RuleSetVersion);

        // An override of the old decision is priced with its own pinned rule set.
        var overridden = await host.Client.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = before.AssessmentId,
            ExpectedVersion = before.Version,
            Urgency = SpasmPlatform.Common.V1.Urgency.Within2Weeks,
            ClinicianId = "clinician-3",
            Reason = "Wants a specialist opinion soon.",
        });
        Assert.Equal(KnowledgeContent.BundledVersion, overridden.Triage.KnowledgeVersion);
        Assert.Equal(20160, overridden.Triage.ActWithinMinutes);
    }
}
