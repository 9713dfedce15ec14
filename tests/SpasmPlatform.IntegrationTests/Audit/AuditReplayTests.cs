using Google.Protobuf;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>
/// Replays on the whole platform (knowledge, assessment, care-plan): every recorded triage is reproduced exactly by
/// the engine with its pinned version, plans are re-drafted identically, and the decision trace shows the care plan
/// and its review history asked from the care-plan service.
/// </summary>
public sealed class AuditReplayTests(AuditPlatform platform) : IClassFixture<AuditPlatform>
{
    public static TheoryData<string> Vignettes()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Platform.RepoRoot, "samples", "assessments"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Vignettes))]
    public async Task Replay_reproduces_the_recorded_triage_of_a_vignette(string name)
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", $"{name}.json")));
        submission.RequestId = $"{name}-{Guid.NewGuid():N}";
        var assessment = (await platform.Client.SubmitAssessmentAsync(submission)).Assessment;

        var replay = await platform.Audit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = assessment.AssessmentId });

        Assert.Empty(replay.Differences);
        Assert.True(replay.Reproduced);
        Assert.Equal(assessment.Triage, replay.Recorded);
        Assert.Equal(replay.Recorded, replay.Replayed);
        Assert.Equal(assessment.Triage.KnowledgeVersion, replay.KnowledgeVersion);
        Assert.Equal(assessment.Triage.RuleSetVersion, replay.RuleSetVersion);
    }

    [Fact]
    public async Task Replay_reproduces_the_recorded_triage_of_a_hundred_generated_submissions()
    {
        var clinic = $"clinic-gen-{Guid.NewGuid():N}";
        var urgencies = new HashSet<Urgency>();
        for (var seed = 1; seed <= 100; seed++)
        {
            var assessment = (await platform.Client.SubmitAssessmentAsync(GeneratedSubmissions.Create(seed, clinic))).Assessment;
            var replay = await platform.Audit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = assessment.AssessmentId });
            Assert.True(replay.Reproduced, $"seed {seed}: {string.Join("; ", replay.Differences)}");
            Assert.Equal(assessment.Triage, replay.Replayed);
            urgencies.Add(assessment.Triage.Urgency);
        }

        // The generated cases reach beyond one kind of decision.
        Assert.True(urgencies.Count >= 3, $"only {string.Join(", ", urgencies)}");
    }

    [Fact]
    public async Task Trace_shows_the_decision_the_override_and_the_care_plan_with_its_reviews_and_the_plan_replays()
    {
        var submission = Sample("v01-lifting-strain");
        var assessment = (await platform.Client.SubmitAssessmentAsync(submission)).Assessment;
        var plan = await WaitForPlanAsync(assessment.AssessmentId, p => p.Status == CarePlanStatus.PendingReview);
        await platform.CarePlans.ApproveCarePlanAsync(new ApproveCarePlanRequest
        {
            CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "physio-audit", Note = "Agreed <b>as drafted</b>",
        });
        var linked = await WaitForAssessmentAsync(assessment.AssessmentId, a => a.CarePlanId.Length > 0);
        var overridden = await platform.Client.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = assessment.AssessmentId, ExpectedVersion = linked.Version, Urgency = Urgency.Within2Weeks, ClinicianId = "dr-audit", Reason = "Seen in clinic; wants review",
        });
        await WaitForPlanAsync(assessment.AssessmentId, p => p.SupersedesCarePlanId == plan.CarePlanId);

        DecisionTrace trace = null!;
        await Eventually.WaitAsync(async () =>
        {
            trace = await platform.Audit.GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = assessment.AssessmentId });
            return trace.Reviews.Any(r => r.Action == "superseded");
        }, TimeSpan.FromSeconds(60), "the trace to include the superseded plan");

        Assert.Equal(submission, trace.Submission);
        Assert.Equal(assessment.Triage, trace.Triage);
        Assert.Equal(overridden.Triage, trace.CurrentTriage);
        Assert.NotEmpty(trace.Triage.DecisionSteps);
        Assert.All(trace.Triage.DecisionSteps, step => Assert.NotEmpty(step.Sources));
        Assert.Equal(assessment.Triage.KnowledgeVersion, trace.KnowledgeVersion);
        Assert.StartsWith("sha256:", trace.KnowledgeContentHash, StringComparison.Ordinal);
        var applied = Assert.Single(trace.Overrides);
        Assert.Equal(("dr-audit", Urgency.Within2Weeks), (applied.ClinicianId, applied.Urgency));
        Assert.Equal(trace.Events[^1].Version, trace.Version);
        Assert.True(trace.Version >= overridden.Version);
        Assert.Equal(
            ["assessment.submitted", "assessment.triage_decided", "assessment.care_plan_linked", "assessment.triage_overridden"],
            trace.Events.Select(e => e.EventType).Take(4));
        Assert.All(trace.Events.Skip(1).Zip(trace.Events), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));

        Assert.Equal(CarePlanLookup.Found, trace.CarePlanLookup);
        Assert.Equal(2, trace.CarePlans.Count);
        Assert.Equal(trace.CarePlans[1].CarePlanId, trace.CarePlan.CarePlanId);
        var approval = Assert.Single(trace.Reviews, r => r.Action == "approved");
        Assert.Equal(("physio-audit", "Agreed <b>as drafted</b>", plan.CarePlanId), (approval.Actor, approval.Note, approval.CarePlanId));
        Assert.Equal(2, trace.Reviews.Count(r => r.Action == "drafted"));
        Assert.NotEmpty(trace.CarePlanEvents);

        // The care-plan service's own audit: both plans re-draft exactly from their stored inputs and pinned knowledge.
        foreach (var drafted in trace.CarePlans)
        {
            var replay = await platform.CarePlanAudit.ReplayDecisionAsync(new ReplayDecisionRequest { AssessmentId = assessment.AssessmentId, CarePlanId = drafted.CarePlanId });
            Assert.True(replay.Reproduced, string.Join("; ", replay.Differences));
            Assert.Equal(drafted.CarePlanId, replay.ReplayedCarePlan.CarePlanId);
            Assert.NotEmpty(replay.ReplayedCarePlan.Interventions);
        }

        var carePlanIntegrity = await platform.CarePlanAudit.VerifyIntegrityAsync(new VerifyIntegrityRequest { AssessmentId = assessment.AssessmentId });
        Assert.True(carePlanIntegrity.Intact);
        Assert.Equal(trace.CarePlanEvents.Count, carePlanIntegrity.EventsChecked);
    }

    private SubmitAssessmentRequest Sample(string name)
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", $"{name}.json")));
        submission.RequestId = $"{name}-{Guid.NewGuid():N}";
        submission.ClinicId = $"clinic-audit-{Guid.NewGuid():N}";
        return submission;
    }

    internal async Task<SpasmPlatform.CarePlan.V1.CarePlan> WaitForPlanAsync(string assessmentId, Func<SpasmPlatform.CarePlan.V1.CarePlan, bool> until)
    {
        SpasmPlatform.CarePlan.V1.CarePlan? plan = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                plan = await platform.CarePlans.GetCarePlanAsync(new GetCarePlanRequest { AssessmentId = assessmentId });
                return until(plan);
            }
            catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), $"a care plan for {assessmentId}; care-plan output:\n{platform.CarePlanService.Output}");
        return plan!;
    }

    private async Task<SpasmPlatform.Assessment.V1.Assessment> WaitForAssessmentAsync(string assessmentId, Func<SpasmPlatform.Assessment.V1.Assessment, bool> until)
    {
        SpasmPlatform.Assessment.V1.Assessment? assessment = null;
        await Eventually.WaitAsync(async () =>
        {
            assessment = await platform.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessmentId });
            return until(assessment);
        }, TimeSpan.FromSeconds(60), $"assessment {assessmentId} to be linked to its plan");
        return assessment!;
    }
}
