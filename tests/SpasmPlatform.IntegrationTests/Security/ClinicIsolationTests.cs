using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Contracts.Calling;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>
/// The clinic comes from the certificate: a clinic's system or physiotherapist cannot read or change another clinic's
/// records whatever ids it sends; every such attempt and every read is in the access log, and every event names the
/// calling system next to the person who acted.
/// </summary>
public sealed class ClinicIsolationTests(SecurePlatform platform) : IClassFixture<SecurePlatform>
{
    [Fact]
    public async Task Another_clinic_can_neither_read_nor_change_an_assessment_and_each_attempt_is_logged()
    {
        var assessment = await SubmitAsync(SecurePlatform.ClinicA);
        using var clinicB = platform.Channel(platform.Assessment, platform.ClinicSystem(SecurePlatform.ClinicB));
        var asB = new AssessmentService.AssessmentServiceClient(clinicB);

        var read = await Assert.ThrowsAsync<RpcException>(async () => await asB.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessment.AssessmentId }));
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        var list = await Assert.ThrowsAsync<RpcException>(async () => await asB.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = SecurePlatform.ClinicA }));
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);
        var submission = Sample(SecurePlatform.ClinicA);
        var write = await Assert.ThrowsAsync<RpcException>(async () => await asB.SubmitAssessmentAsync(submission));
        Assert.Equal(StatusCode.PermissionDenied, write.StatusCode);
        var change = await Assert.ThrowsAsync<RpcException>(async () => await asB.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = assessment.AssessmentId, ExpectedVersion = assessment.Version, Urgency = Common.V1.Urgency.Emergency, ClinicianId = "intruder", Reason = "test",
        }));
        Assert.Equal(StatusCode.NotFound, change.StatusCode);

        // Clinic A still sees its own, unchanged.
        using var clinicA = platform.Channel(platform.Assessment, platform.ClinicSystem(SecurePlatform.ClinicA));
        var own = await new AssessmentService.AssessmentServiceClient(clinicA).GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = assessment.AssessmentId });
        Assert.Null(own.Triage.Override);
        Assert.Equal(assessment.Triage.Urgency, own.Triage.Urgency);

        var log = await AccessEventsAsync(new ListAccessEventsRequest { AssessmentId = assessment.AssessmentId });
        Assert.Contains(log, e => e.Caller == "clinic-system:clinic-b/ehr-clinic-b" && e.Method.EndsWith("/GetAssessment", StringComparison.Ordinal) && e.Outcome == "NOT_FOUND");
        Assert.Contains(log, e => e.Caller == "clinic-system:clinic-b/ehr-clinic-b" && e.Method.EndsWith("/OverrideTriage", StringComparison.Ordinal) && e.Outcome == "NOT_FOUND");
        Assert.Contains(log, e => e.Caller == "clinic-system:clinic-a/ehr-clinic-a" && e.Method.EndsWith("/GetAssessment", StringComparison.Ordinal) && e.Outcome == "OK");
        var refused = await AccessEventsAsync(new ListAccessEventsRequest { Caller = "clinic-system:clinic-b/ehr-clinic-b", RefusedOnly = true });
        Assert.Contains(refused, e => e.Method.EndsWith("/ListAssessments", StringComparison.Ordinal) && e.Outcome == "PERMISSION_DENIED" && e.Reason.Contains("clinic-a", StringComparison.Ordinal));
        Assert.Contains(refused, e => e.Method.EndsWith("/SubmitAssessment", StringComparison.Ordinal) && e.Outcome == "PERMISSION_DENIED");
        Assert.Contains("PERMISSION_DENIED /spasm.assessment.v1.AssessmentService/ListAssessments for clinic-system:clinic-b/ehr-clinic-b", platform.Assessment.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Physiotherapists_review_only_their_own_clinics_plans_and_the_events_name_person_and_system()
    {
        var assessment = await SubmitAsync(SecurePlatform.ClinicA);
        using var physioA = platform.Channel(platform.CarePlan, platform.Physiotherapist(SecurePlatform.ClinicA));
        using var physioB = platform.Channel(platform.CarePlan, platform.Physiotherapist(SecurePlatform.ClinicB));
        var plans = new CarePlanService.CarePlanServiceClient(physioA);
        SpasmPlatform.CarePlan.V1.CarePlan? found = null;
        await Eventually.WaitAsync(async () =>
        {
            try
            {
                found = await plans.GetCarePlanAsync(new GetCarePlanRequest { AssessmentId = assessment.AssessmentId });
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the care plan to be drafted");
        var plan = found!;

        var foreign = new CarePlanService.CarePlanServiceClient(physioB);
        var read = await Assert.ThrowsAsync<RpcException>(async () => await foreign.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = plan.CarePlanId }));
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        var approve = await Assert.ThrowsAsync<RpcException>(async () => await foreign.ApproveCarePlanAsync(new ApproveCarePlanRequest { CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "physio-b-1" }));
        Assert.Equal(StatusCode.NotFound, approve.StatusCode);
        var list = await Assert.ThrowsAsync<RpcException>(async () => await foreign.ListCarePlansAsync(new ListCarePlansRequest { ClinicId = SecurePlatform.ClinicA }));
        Assert.Equal(StatusCode.PermissionDenied, list.StatusCode);

        var approved = await plans.ApproveCarePlanAsync(new ApproveCarePlanRequest { CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "physio-a-7" });
        Assert.Equal(CarePlanStatus.Approved, approved.Status);

        using var auditor = platform.Channel(platform.CarePlan, platform.Auditor);
        var history = await ReadAllAsync(new AuditService.AuditServiceClient(auditor).StreamHistory(new StreamHistoryRequest { AssessmentId = assessment.AssessmentId }));
        var review = Assert.Single(history, e => e.EventType == "care_plan.approved");
        Assert.Equal("physio-a-7", review.Actor);
        Assert.Equal("physiotherapist:clinic-a/physio-tool-clinic-a", review.Caller);

        using var assessmentAuditor = platform.Channel(platform.Assessment, platform.Auditor);
        var submitted = (await ReadAllAsync(new AuditService.AuditServiceClient(assessmentAuditor).StreamHistory(new StreamHistoryRequest { AssessmentId = assessment.AssessmentId }))).First();
        Assert.Equal("clinic-system:clinic-a/ehr-clinic-a", submitted.Caller);
        Assert.Equal(assessment.ClinicianId, submitted.Actor);

        // The auditor's trace reaches the care-plan service under the assessment service's own certificate.
        var trace = await new AuditService.AuditServiceClient(assessmentAuditor).GetDecisionTraceAsync(new GetDecisionTraceRequest { AssessmentId = assessment.AssessmentId });
        Assert.Equal(plan.CarePlanId, trace.CarePlan.CarePlanId);
    }

    [Fact]
    public async Task Platform_wide_roles_may_not_act_as_a_clinic()
    {
        using var auditor = platform.Channel(platform.Assessment, platform.Auditor);
        var submit = await Assert.ThrowsAsync<RpcException>(async () => await new AssessmentService.AssessmentServiceClient(auditor).SubmitAssessmentAsync(Sample(SecurePlatform.ClinicA)));
        Assert.Equal(StatusCode.PermissionDenied, submit.StatusCode);
        using var controller = platform.Channel(platform.Assessment, platform.DataController(SecurePlatform.ClinicA));
        var read = await Assert.ThrowsAsync<RpcException>(async () => await new AssessmentService.AssessmentServiceClient(controller).ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = SecurePlatform.ClinicA }));
        Assert.Equal(StatusCode.PermissionDenied, read.StatusCode);
    }

    private async Task<SpasmPlatform.Assessment.V1.Assessment> SubmitAsync(string clinic)
    {
        using var channel = platform.Channel(platform.Assessment, platform.ClinicSystem(clinic));
        var response = await new AssessmentService.AssessmentServiceClient(channel).SubmitAssessmentAsync(Sample(clinic));
        return response.Assessment;
    }

    private async Task<List<AccessEvent>> AccessEventsAsync(ListAccessEventsRequest request)
    {
        request.From = Timestamp.FromDateTimeOffset(platform.StartedAt);
        using var channel = platform.Channel(platform.Assessment, platform.Auditor);
        var response = await new AuditService.AuditServiceClient(channel).ListAccessEventsAsync(request);
        return [.. response.Events];
    }

    private static async Task<List<HistoryEvent>> ReadAllAsync(global::Grpc.Core.AsyncServerStreamingCall<HistoryEvent> call)
    {
        using (call)
        {
            var events = new List<HistoryEvent>();
            while (await call.ResponseStream.MoveNext())
            {
                events.Add(call.ResponseStream.Current);
            }

            return events;
        }
    }

    private static SubmitAssessmentRequest Sample(string clinic)
    {
        var submission = JsonParser.Default.Parse<SubmitAssessmentRequest>(File.ReadAllText(Path.Combine(Platform.RepoRoot, "samples", "assessments", "v01-lifting-strain.json")));
        submission.ClinicId = clinic;
        submission.RequestId = $"req-{Guid.NewGuid():N}";
        submission.PatientRef = $"p-{Guid.NewGuid():N}"[..14];
        return submission;
    }
}
