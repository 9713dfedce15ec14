using Google.Rpc;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Knowledge;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>Submitting, reading back, idempotency and validation against real processes.</summary>
public sealed class AssessmentSubmitTests(AssessmentHost host) : IClassFixture<AssessmentHost>
{
    [Fact]
    public async Task A_submission_is_triaged_with_pinned_versions_and_read_back_identically()
    {
        var clinic = Submissions.NewId("clinic");
        var request = Submissions.CaudaEquina(clinic, "req-1");

        var response = await host.Client.SubmitAssessmentAsync(request);

        Assert.False(response.Duplicate);
        var assessment = response.Assessment;
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", assessment.AssessmentId);
        Assert.Equal(clinic, assessment.ClinicId);
        Assert.Equal(request.PatientRef, assessment.PatientRef);
        Assert.Equal(request.ClinicianId, assessment.ClinicianId);
        Assert.Equal(request, assessment.Submission);
        Assert.Equal(2, assessment.Version);
        Assert.NotNull(assessment.SubmittedAt);

        var triage = assessment.Triage;
        Assert.Equal(Urgency.Emergency, triage.Urgency);
        Assert.Equal(Urgency.Emergency, triage.EngineUrgency);
        Assert.Equal(0, triage.ActWithinMinutes);
        Assert.Contains(triage.SuspectedConditions, c => c.Code == "cauda_equina_syndrome");
        Assert.Equal(KnowledgeContent.BundledVersion, triage.KnowledgeVersion);
        Assert.Equal(KnowledgeContent.BundledRuleSetVersion, triage.RuleSetVersion);
        Assert.NotEmpty(triage.DecisionSteps);
        Assert.Equal(Enumerable.Range(1, triage.DecisionSteps.Count), triage.DecisionSteps.Select(s => s.Order));
        Assert.Null(triage.Override);

        Assert.Equal(assessment, await host.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessment.AssessmentId }));

        // Two events in the stream, one TriageDecided in the outbox for it.
        Assert.Equal(2, await host.CountEventsAsync(assessment.AssessmentId));
        Assert.Equal(1, await host.CountEventsAsync(assessment.AssessmentId, "assessment.submitted"));
        Assert.Equal(1, await host.CountEventsAsync(assessment.AssessmentId, "assessment.triage_decided"));
        Assert.Equal(1, await host.CountOutboxAsync(assessment.AssessmentId, "SpasmPlatform.Contracts.IntegrationEvents.TriageDecided"));
    }

    [Fact]
    public async Task A_retried_submission_returns_the_first_result_and_stores_nothing_new()
    {
        var request = Submissions.LiftingStrain(Submissions.NewId("clinic"), "req-retry");
        var first = await host.Client.SubmitAssessmentAsync(request);
        var events = await host.CountEventsAsync();

        // The retry even carries a changed note: the first result stands, as the contract says.
        var retry = request.Clone();
        retry.ClinicalNotes = "sent again after a timeout";
        var second = await host.Client.SubmitAssessmentAsync(retry);

        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal(first.Assessment, second.Assessment);
        Assert.Equal(Urgency.SelfCare, first.Assessment.Triage.Urgency);
        Assert.Equal(events, await host.CountEventsAsync());
    }

    [Fact]
    public async Task The_same_request_id_in_another_clinic_is_another_assessment()
    {
        var a = await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "shared-request-id"));
        var b = await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "shared-request-id"));

        Assert.False(b.Duplicate);
        Assert.NotEqual(a.Assessment.AssessmentId, b.Assessment.AssessmentId);
    }

    [Fact]
    public async Task Ten_concurrent_identical_submissions_store_one_assessment()
    {
        var request = Submissions.LiftingStrain(Submissions.NewId("clinic"), "req-concurrent");

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => host.Client.SubmitAssessmentAsync(request).ResponseAsync));

        var id = responses[0].Assessment.AssessmentId;
        Assert.All(responses, r => Assert.Equal(id, r.Assessment.AssessmentId));
        Assert.Single(responses, r => !r.Duplicate);
        Assert.Equal(9, responses.Count(r => r.Duplicate));
        Assert.All(responses, r => Assert.Equal(responses[0].Assessment, r.Assessment));
        Assert.Equal(2, await host.CountEventsAsync(id));
    }

    [Fact]
    public async Task A_bad_submission_lists_every_violation_and_stores_nothing()
    {
        var events = await host.CountEventsAsync();
        var request = new SubmitAssessmentRequest
        {
            RequestId = "",
            ClinicId = new string('c', 129),
            PatientRef = "patient\u0007ref",
            ClinicianId = " ",
            AgeYears = 12,
            Sex = (Sex)9,
            Presentation = new Presentation { Region = BodyRegion.Unspecified, Onset = (Onset)7, DurationDays = -1, PainScore = 11, LegPain = LegPain.Unspecified, AgeAtFirstOnsetYears = 30 },
            Vitals = new Vitals { TemperatureCelsius = 50, SystolicBpMmhg = 10, HeartRateBpm = 400 },
            RiskFactors = { RiskFactor.Obesity, RiskFactor.Unspecified },
            CurrentMedications = { (Medication)99 },
            Comorbidities = { Comorbidity.Unspecified },
            StartBack = new StartBackAnswers { LegPain = true },
            ClinicalNotes = new string('n', 8001),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.SubmitAssessmentAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(
            [
                "request_id", "clinic_id", "patient_ref", "clinician_id", "age_years", "sex",
                "presentation.region", "presentation.onset", "presentation.duration_days", "presentation.pain_score", "presentation.leg_pain",
                "presentation.age_at_first_onset_years", "vitals.temperature_celsius", "vitals.systolic_bp_mmhg", "vitals.heart_rate_bpm",
                "risk_factors[1]", "current_medications[0]", "comorbidities[0]", "start_back.bothersomeness", "clinical_notes",
            ],
            error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field));
        Assert.Equal(events, await host.CountEventsAsync());
    }

    [Fact]
    public async Task A_submission_without_a_presentation_says_so()
    {
        var request = Submissions.LiftingStrain(Submissions.NewId("clinic"), "req-no-presentation");
        request.Presentation = null;

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.SubmitAssessmentAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("presentation", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }

    [Fact]
    public async Task Unknown_and_missing_assessment_ids_are_answered_precisely()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => host.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = Guid.NewGuid().ToString() }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);

        var empty = await Assert.ThrowsAsync<RpcException>(() => host.Client.GetAssessmentAsync(new GetAssessmentRequest()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Equal("assessment_id", Assert.Single(empty.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }
}
