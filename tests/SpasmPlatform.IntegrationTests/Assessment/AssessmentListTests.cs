using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using Grpc.Core;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>Listing a clinic's assessments: filter, newest first, keyset paging with opaque tokens.</summary>
public sealed class AssessmentListTests(AssessmentHost host) : IClassFixture<AssessmentHost>
{
    [Fact]
    public async Task A_clinics_assessments_page_newest_first_and_filter_by_urgency()
    {
        var clinic = Submissions.NewId("clinic");
        var other = Submissions.NewId("clinic");
        var submitted = new List<SpasmPlatform.Assessment.V1.Assessment>();
        for (var i = 0; i < 7; i++)
        {
            // Sequential on purpose: submission order is the expected (reversed) list order.
            var request = i % 3 == 0 ? Submissions.CaudaEquina(clinic, $"req-{i}") : Submissions.LiftingStrain(clinic, $"req-{i}");
            submitted.Add((await host.Client.SubmitAssessmentAsync(request)).Assessment);
        }

        await host.Client.SubmitAssessmentAsync(Submissions.CaudaEquina(other, "req-0"));

        var newestFirst = submitted.OrderByDescending(a => a.SubmittedAt.ToDateTimeOffset()).ThenByDescending(a => a.AssessmentId, StringComparer.Ordinal).Select(a => a.AssessmentId).ToList();
        Assert.Equal(Enumerable.Reverse(submitted).Select(a => a.AssessmentId), newestFirst);

        var all = await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic });
        Assert.Equal(newestFirst, all.Assessments.Select(a => a.AssessmentId));
        Assert.Equal("", all.NextPageToken);
        Assert.All(all.Assessments, a => Assert.Equal(submitted.Single(s => s.AssessmentId == a.AssessmentId), a));

        // Pages of 3: 3 + 3 + 1, every token continuing where the last page ended.
        var paged = new List<string>();
        var pages = 0;
        var token = "";
        do
        {
            var page = await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic, PageSize = 3, PageToken = token });
            paged.AddRange(page.Assessments.Select(a => a.AssessmentId));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);
        Assert.Equal(3, pages);
        Assert.Equal(newestFirst, paged);

        var emergencies = await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic, Urgency = Urgency.Emergency });
        Assert.Equal(submitted.Where(a => a.Triage.Urgency == Urgency.Emergency).Reverse().Select(a => a.AssessmentId), emergencies.Assessments.Select(a => a.AssessmentId));
        Assert.Equal(3, emergencies.Assessments.Count);

        var filteredPage = await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic, Urgency = Urgency.SelfCare, PageSize = 2 });
        Assert.Equal(2, filteredPage.Assessments.Count);
        var filteredRest = await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic, Urgency = Urgency.SelfCare, PageSize = 2, PageToken = filteredPage.NextPageToken });
        Assert.Equal(
            submitted.Where(a => a.Triage.Urgency == Urgency.SelfCare).Reverse().Select(a => a.AssessmentId),
            filteredPage.Assessments.Concat(filteredRest.Assessments).Select(a => a.AssessmentId));

        Assert.Empty((await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = Submissions.NewId("clinic") })).Assessments);
        Assert.Single((await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = other })).Assessments);
    }

    [Fact]
    public async Task A_page_token_only_continues_the_listing_it_came_from()
    {
        var clinic = Submissions.NewId("clinic");
        await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, "req-a"));
        await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, "req-b"));
        var first = await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic, PageSize = 1 });
        Assert.NotEqual("", first.NextPageToken);

        await AssertInvalidAsync(new ListAssessmentsRequest { ClinicId = Submissions.NewId("clinic"), PageToken = first.NextPageToken }, "page_token");
        await AssertInvalidAsync(new ListAssessmentsRequest { ClinicId = clinic, Urgency = Urgency.Emergency, PageToken = first.NextPageToken }, "page_token");
        await AssertInvalidAsync(new ListAssessmentsRequest { ClinicId = clinic, PageToken = "not a token!" }, "page_token");
        await AssertInvalidAsync(new ListAssessmentsRequest { ClinicId = clinic, PageToken = Convert.ToBase64String("{\"x\":1}"u8.ToArray()).TrimEnd('=') }, "page_token");
    }

    [Fact]
    public async Task A_big_page_is_recorded_in_the_access_log_with_every_record_it_returned()
    {
        // 300 assessments name 300 ids and 300 patients: more values than the log once kept for one read.
        var clinic = Submissions.NewId("clinic");
        var since = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(-1));
        var submitted = new List<SpasmPlatform.Assessment.V1.Assessment>();
        foreach (var chunk in Enumerable.Range(0, 300).Chunk(50))
        {
            // In chunks, within the service's per-caller rate limit (100/s after a burst of 200).
            submitted.AddRange(await Task.WhenAll(chunk.Select(async i =>
                (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(clinic, $"big-{i}"))).Assessment)));
            await Task.Delay(TimeSpan.FromMilliseconds(600));
        }

        var page = await host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { ClinicId = clinic, PageSize = 500 });
        Assert.Equal(300, page.Assessments.Count);

        var audit = new SpasmPlatform.Audit.V1.AuditService.AuditServiceClient(host.Channel);
        var log = await audit.ListAccessEventsAsync(new SpasmPlatform.Audit.V1.ListAccessEventsRequest { From = since, ClinicId = clinic });
        var read = Assert.Single(log.Events, e => e.Method == "/spasm.assessment.v1.AssessmentService/ListAssessments");
        Assert.Equal(submitted.Select(a => a.AssessmentId).Order(StringComparer.Ordinal), read.Records.Where(r => r.Field == "assessment_id").Select(r => r.Value));
        Assert.Equal(submitted.Select(a => a.PatientRef).Order(StringComparer.Ordinal), read.Records.Where(r => r.Field == "patient_ref").Select(r => r.Value));
    }

    [Fact]
    public async Task List_arguments_are_checked_together()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.ListAssessmentsAsync(new ListAssessmentsRequest { PageSize = 501, Urgency = (Urgency)42 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(["clinic_id", "urgency", "page_size"], error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field));
        await AssertInvalidAsync(new ListAssessmentsRequest { ClinicId = "c", PageSize = -1 }, "page_size");
    }

    private async Task AssertInvalidAsync(ListAssessmentsRequest request, string field)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.ListAssessmentsAsync(request).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(field, Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }
}
