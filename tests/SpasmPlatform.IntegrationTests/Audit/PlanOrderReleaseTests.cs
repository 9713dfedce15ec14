using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.IntegrationTests.Assessment;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.IntegrationTests.Knowledge;
using SpasmPlatform.Knowledge.V1;
using CarePlanMessage = SpasmPlatform.CarePlan.V1.CarePlan;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>
/// The plan order and the second-line relation through the real services, across versions: a platform that starts on
/// the frozen 1.1.0 knowledge (no plan_order, no second_line) drafts as the drafter did before they were content;
/// 1.3.0 drafts the same plan; a version whose content orders and relates otherwise drafts otherwise; and every plan
/// still re-drafts exactly under the version it pinned.
/// </summary>
public sealed class PlanOrderReleaseTests(PlanOrderReleaseTests.Release110Platform platform) : IClassFixture<PlanOrderReleaseTests.Release110Platform>
{
    private const string Reordered = "93.3.0";

    [Fact]
    public async Task Plans_take_their_order_and_second_line_from_the_pinned_knowledge_version()
    {
        var clinic = Submissions.NewId("clinic");
        var old = await DraftAsync(GutBleed(clinic, "under-1-1-0"));
        Assert.Equal("1.1.0", old.KnowledgeVersion);
        Assert.Equal(["cold_therapy", "heat_therapy", "weak_opioids"], Codes(old).Where(IsAcute));
        Assert.Contains("nsaids cannot be used (contraindicated by COMORBIDITY_GI_ULCER_OR_BLEED", old.Interventions.Single(i => i.Code == "weak_opioids").Rationale, StringComparison.Ordinal);

        await PublishAsync(KnowledgeContent.Files(), KnowledgeContent.BundledVersion, old);
        var bundled = await DraftAsync(GutBleed(clinic, "under-bundled"));
        var bundledPlain = await DraftAsync(Submissions.LiftingStrain(clinic, "plain-under-bundled"));
        Assert.Equal(KnowledgeContent.BundledVersion, bundled.KnowledgeVersion);
        Assert.Equal(Codes(old), Codes(bundled));
        Assert.Equal(["cold_therapy", "heat_therapy", "nsaids"], Codes(bundledPlain).Where(IsAcute));

        // Heat before cold, and no second-line relation: the weak opioid is planned beside the NSAID.
        var files = KnowledgeContent.Versioned(Reordered);
        Edit(files, "plan_order.yaml", "[cold_therapy, epsom_salts, heat_therapy,", "[heat_therapy, cold_therapy, epsom_salts,");
        var supported = files.Single(f => f.Path == "interventions/supported.yaml");
        var secondLine = supported.Text.IndexOf("    second_line:\n      after: nsaids\n", StringComparison.Ordinal);
        supported.Text = supported.Text.Remove(secondLine, supported.Text.IndexOf("    contraindications:", secondLine, StringComparison.Ordinal) - secondLine);
        await PublishAsync(files, Reordered, old);
        var reordered = await DraftAsync(Submissions.LiftingStrain(clinic, "plain-reordered"));
        Assert.Equal(Reordered, reordered.KnowledgeVersion);
        Assert.Equal(["heat_therapy", "cold_therapy", "nsaids", "weak_opioids"], Codes(reordered).Where(IsAcute));

        foreach (var plan in new[] { old, bundled, bundledPlain, reordered })
        {
            var replay = await platform.CarePlanAudit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = plan.AssessmentId, CarePlanId = plan.CarePlanId });
            Assert.True(replay.Reproduced, $"{plan.KnowledgeVersion}: {string.Join("; ", replay.Differences)}");
        }
    }

    private static SubmitAssessmentRequest GutBleed(string clinic, string requestId)
    {
        var submission = Submissions.LiftingStrain(clinic, requestId);
        submission.Comorbidities.Add(Comorbidity.GiUlcerOrBleed);
        return submission;
    }

    private async Task<CarePlanMessage> DraftAsync(SubmitAssessmentRequest submission)
    {
        submission.RequestId = Submissions.NewId(submission.RequestId);
        var assessment = (await platform.Client.SubmitAssessmentAsync(submission)).Assessment;
        CarePlanMessage? plan = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                plan = await platform.CarePlans.GetCarePlanAsync(new GetCarePlanRequest { AssessmentId = assessment.AssessmentId });
                return true;
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"a care plan for {assessment.AssessmentId}; care-plan output:\n{platform.CarePlanService.Output}");
        Assert.Equal(assessment.Triage.KnowledgeVersion, plan!.KnowledgeVersion);
        return plan;
    }

    /// <summary>Publishes a version and waits until the assessment service decides under it.</summary>
    private async Task PublishAsync(List<ContentFile> files, string version, CarePlanMessage decided)
    {
        var published = await platform.Knowledge.Client.PublishVersionAsync(new PublishVersionRequest { PublishedBy = "plan-order-it", Files = { files } });
        Assert.Equal(version, published.Version.Version);
        await Eventually.WaitAsync(async () =>
        {
            var current = await platform.Audit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = decided.AssessmentId, UseCurrentVersions = true });
            return current.KnowledgeVersion == version;
        }, TimeSpan.FromSeconds(60), $"the assessment service to switch to {version}; its output:\n{platform.Service.Output}");
    }

    private static void Edit(List<ContentFile> files, string path, string old, string replacement)
    {
        var file = files.Single(f => f.Path == path);
        Assert.Contains(old, file.Text, StringComparison.Ordinal);
        file.Text = file.Text.Replace(old, replacement, StringComparison.Ordinal);
    }

    private static bool IsAcute(string code) => code is "cold_therapy" or "heat_therapy" or "nsaids" or "weak_opioids" or "epsom_salts" or "muscle_relaxants";

    private static List<string> Codes(CarePlanMessage plan) => [.. plan.Interventions.Select(i => i.Code)];

    /// <summary>The whole platform, its knowledge service starting on the 1.1.0 release frozen for replay tests.</summary>
    public sealed class Release110Platform : AuditPlatform
    {
        protected override IReadOnlyDictionary<string, string>? KnowledgeSettings => new Dictionary<string, string>
        {
            ["Knowledge__ContentPath"] = Path.Combine(Platform.RepoRoot, "tests", "SpasmPlatform.Triage.Tests", "Releases", "knowledge-1.1.0"),
        };
    }
}
