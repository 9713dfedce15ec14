using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.IntegrationTests.Assessment;
using AssessmentMessage = SpasmPlatform.Assessment.V1.Assessment;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.IntegrationTests.Audit;

/// <summary>An auditor finds assessments by patient or by period, across clinics, newest first, paged.</summary>
public sealed class AuditFindTests(AuditHost host) : IClassFixture<AuditHost>
{
    [Fact]
    public async Task A_patients_assessments_are_found_in_every_clinic_newest_first_as_summaries()
    {
        var patient = Submissions.NewId("patient");
        var clinicA = Submissions.NewId("clinic");
        var clinicB = Submissions.NewId("clinic");
        var submitted = new List<AssessmentMessage>();
        foreach (var (clinic, request) in new[]
        {
            (clinicA, Submissions.LiftingStrain(clinicA, "r1")), (clinicB, Submissions.CaudaEquina(clinicB, "r2")), (clinicA, Submissions.CaudaEquina(clinicA, "r3")),
        })
        {
            // Sequential on purpose: submission order is the expected (reversed) order of the answer.
            request.PatientRef = patient;
            submitted.Add((await host.Client.SubmitAssessmentAsync(request)).Assessment);
        }

        // Another patient of the same clinic is not found.
        await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinicA, "other"));

        var overridden = await host.Client.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = submitted[0].AssessmentId,
            ExpectedVersion = submitted[0].Version,
            Urgency = Urgency.Routine,
            ClinicianId = "dr-override",
            Reason = "Pain worse at night; wants review.",
        });

        var found = await host.Audit.FindAssessmentsAsync(new FindAssessmentsRequest { PatientRef = patient });
        Assert.Equal(Enumerable.Reverse(submitted).Select(a => a.AssessmentId), found.Assessments.Select(a => a.AssessmentId));
        Assert.Equal("", found.NextPageToken);

        var first = found.Assessments.Single(s => s.AssessmentId == submitted[0].AssessmentId);
        Assert.Equal(clinicA, first.ClinicId);
        Assert.Equal(patient, first.PatientRef);
        Assert.Equal(submitted[0].ClinicianId, first.ClinicianId);
        Assert.Equal(submitted[0].SubmittedAt, first.SubmittedAt);
        Assert.Equal(Urgency.Routine, first.Urgency);
        Assert.True(first.Overridden);
        Assert.Equal(overridden.Version, first.Version);

        var emergency = found.Assessments.Single(s => s.AssessmentId == submitted[1].AssessmentId);
        Assert.Equal(clinicB, emergency.ClinicId);
        Assert.Equal(Urgency.Emergency, emergency.Urgency);
        Assert.False(emergency.Overridden);

        var inClinicA = await host.Audit.FindAssessmentsAsync(new FindAssessmentsRequest { PatientRef = patient, ClinicId = clinicA });
        Assert.Equal([submitted[2].AssessmentId, submitted[0].AssessmentId], inClinicA.Assessments.Select(a => a.AssessmentId));
    }

    [Fact]
    public async Task A_period_finds_what_was_submitted_in_it_and_pages_with_a_token_bound_to_the_search()
    {
        var clinic = Submissions.NewId("clinic");
        var before = await SubmitAsync(clinic, "before");
        await Task.Delay(20);
        var from = DateTimeOffset.UtcNow;
        var inside = new List<AssessmentMessage>();
        for (var i = 0; i < 5; i++)
        {
            inside.Add(await SubmitAsync(clinic, $"inside-{i}"));
        }

        var to = DateTimeOffset.UtcNow.AddMilliseconds(1);
        await Task.Delay(20);
        await SubmitAsync(clinic, "after");
        Assert.True(before.SubmittedAt.ToDateTimeOffset() < from);

        var period = new FindAssessmentsRequest { ClinicId = clinic, SubmittedFrom = Timestamp.FromDateTimeOffset(from), SubmittedTo = Timestamp.FromDateTimeOffset(to), PageSize = 2 };
        var pages = new List<FindAssessmentsResponse>();
        var token = "";
        do
        {
            var page = await host.Audit.FindAssessmentsAsync(new FindAssessmentsRequest(period) { PageToken = token });
            pages.Add(page);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Assessments.Count));
        Assert.Equal(Enumerable.Reverse(inside).Select(a => a.AssessmentId), pages.SelectMany(p => p.Assessments).Select(a => a.AssessmentId));

        // Every clinic: the period holds at least these, newest first, each inside the period.
        var everywhere = await host.Audit.FindAssessmentsAsync(new FindAssessmentsRequest { SubmittedFrom = period.SubmittedFrom, SubmittedTo = period.SubmittedTo, PageSize = 100 });
        Assert.Superset(inside.Select(a => a.AssessmentId).ToHashSet(), everywhere.Assessments.Select(a => a.AssessmentId).ToHashSet());
        Assert.All(everywhere.Assessments, a => Assert.InRange(a.SubmittedAt.ToDateTimeOffset(), from, to));
        Assert.Equal(everywhere.Assessments.OrderByDescending(a => a.SubmittedAt.ToDateTimeOffset()).Select(a => a.SubmittedAt), everywhere.Assessments.Select(a => a.SubmittedAt));

        // A token continues only the search it came from.
        await AssertInvalidAsync(new FindAssessmentsRequest(period) { ClinicId = Submissions.NewId("clinic"), PageToken = pages[0].NextPageToken }, "page_token");
        await AssertInvalidAsync(new FindAssessmentsRequest(period) { SubmittedTo = null, PageToken = pages[0].NextPageToken }, "page_token");
    }

    [Fact]
    public async Task A_search_names_a_patient_or_a_period_and_bad_fields_are_named()
    {
        await AssertInvalidAsync(new FindAssessmentsRequest(), "patient_ref");
        await AssertInvalidAsync(new FindAssessmentsRequest { ClinicId = "clinic-demo" }, "patient_ref");
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        await AssertInvalidAsync(new FindAssessmentsRequest { SubmittedFrom = now, SubmittedTo = now }, "submitted_to");
        await AssertInvalidAsync(new FindAssessmentsRequest { PatientRef = "p", PageSize = 101 }, "page_size");
        await AssertInvalidAsync(new FindAssessmentsRequest { PatientRef = "p", PageToken = "not a token" }, "page_token");
        await AssertInvalidAsync(new FindAssessmentsRequest { PatientRef = new string('p', 129) }, "patient_ref");
        await AssertInvalidAsync(new FindAssessmentsRequest { PatientRef = "p", SubmittedFrom = new Timestamp { Seconds = -5 } }, "submitted_from");

        // Nobody of that name: an empty answer, not an error (a search confirms nothing either way).
        var none = await host.Audit.FindAssessmentsAsync(new FindAssessmentsRequest { PatientRef = Submissions.NewId("patient") });
        Assert.Empty(none.Assessments);
    }

    [Fact]
    public async Task A_search_is_recorded_in_the_access_log_with_every_record_it_returned()
    {
        var clinic = Submissions.NewId("clinic");
        var patient = Submissions.NewId("patient");
        var request = Submissions.LiftingStrain(clinic, "logged");
        request.PatientRef = patient;
        var assessment = (await host.Client.SubmitAssessmentAsync(request)).Assessment;
        var since = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1));

        await host.Audit.FindAssessmentsAsync(new FindAssessmentsRequest { PatientRef = patient });

        var log = await host.Audit.ListAccessEventsAsync(new ListAccessEventsRequest { From = since, PatientRef = patient });
        var search = Assert.Single(log.Events, e => e.Method == "/spasm.audit.v1.AuditService/FindAssessments");
        Assert.Equal("OK", search.Outcome);
        Assert.Contains(search.Records, r => r.Field == "assessment_id" && r.Value == assessment.AssessmentId);
        Assert.Contains(search.Records, r => r.Field == "clinic_id" && r.Value == clinic);
    }

    private Task<AssessmentMessage> SubmitAsync(string clinic, string requestId) =>
        host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, requestId)).ResponseAsync.ContinueWith(t => t.Result.Assessment, TaskScheduler.Default);

    private async Task AssertInvalidAsync(FindAssessmentsRequest request, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => host.Audit.FindAssessmentsAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var details = error.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(details);
        Assert.Contains(details.FieldViolations, v => v.Field == field);
    }
}
