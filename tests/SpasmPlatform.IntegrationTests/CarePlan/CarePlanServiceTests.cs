using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.IntegrationEvents;
using Grpc.Core;
using SpasmPlatform.IntegrationTests.Infrastructure;
using CarePlanMessage = SpasmPlatform.CarePlan.V1.CarePlan;

namespace SpasmPlatform.IntegrationTests.CarePlan;

/// <summary>
/// The care-plan service as deployed: real processes (knowledge + two competing care-plan instances), real
/// PostgreSQL and RabbitMQ, TriageDecided messages built from the sample vignettes by the real engine.
/// </summary>
public sealed class CarePlanServiceTests(CarePlanPlatform platform) : IClassFixture<CarePlanPlatform>
{
    [Theory]
    [InlineData("v01-lifting-strain", CarePlanStatus.PendingReview)]
    [InlineData("v02-medium-risk", CarePlanStatus.PendingReview)]
    [InlineData("v03-high-risk", CarePlanStatus.PendingReview)]
    [InlineData("v04-cauda-equina", CarePlanStatus.ReferralOnly)]
    [InlineData("v05-mscc", CarePlanStatus.ReferralOnly)]
    [InlineData("v05b-cancer-spinal-pain", CarePlanStatus.ReferralOnly)]
    [InlineData("v06-spinal-infection", CarePlanStatus.ReferralOnly)]
    [InlineData("v07-aaa", CarePlanStatus.ReferralOnly)]
    [InlineData("v08-fragility-fracture", CarePlanStatus.PendingReview)]
    [InlineData("v09-axial-spa", CarePlanStatus.PendingReview)]
    [InlineData("v10-sedatives-sciatica", CarePlanStatus.PendingReview)]
    [InlineData("v11-possible-malignancy", CarePlanStatus.PendingReview)]
    public async Task Each_vignette_gets_a_plan_that_matches_its_triage(string sample, CarePlanStatus status)
    {
        var decided = CarePlanPlatform.Decided(CarePlanPlatform.Sample(sample));
        await platform.PublishAsync(decided, decided.MessageId);

        var plan = await platform.WaitForPlanAsync(decided.AssessmentId);
        Assert.Equal(status, plan.Status);
        Assert.Equal(decided.Urgency, plan.Urgency);
        Assert.Equal(decided.KnowledgeVersion, plan.KnowledgeVersion);
        Assert.Equal(decided.RuleSetVersion, plan.RuleSetVersion);
        Assert.Equal(decided.ClinicId, plan.ClinicId);
        Assert.Equal(1, plan.Version);
        Assert.True(plan.FollowUpInDays > 0);
        if (status == CarePlanStatus.ReferralOnly)
        {
            Assert.Empty(plan.Interventions);
            Assert.NotEmpty(plan.ReferralAction);
            Assert.NotEmpty(plan.InterimAdvice);
        }
        else
        {
            Assert.NotEmpty(plan.Interventions);
            Assert.All(plan.Interventions, i => Assert.NotEmpty(i.Sources));
        }

        var drafted = await CarePlanPlatform.NextAboutAsync(platform.DraftedQueue, decided.AssessmentId);
        Assert.Equal(plan.CarePlanId, drafted.GetProperty("carePlanId").GetString());
        Assert.Equal(decided.CorrelationId, drafted.GetProperty("correlationId").GetString());
    }

    [Fact]
    public async Task The_same_message_delivered_twice_and_a_second_message_for_the_assessment_draft_one_plan()
    {
        var decided = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v01-lifting-strain"));
        await platform.PublishAsync(decided, decided.MessageId);
        await platform.PublishAsync(decided, decided.MessageId);
        var republished = decided with { MessageId = Guid.NewGuid() };
        await platform.PublishAsync(republished, republished.MessageId);

        await platform.WaitHandledAsync(decided.MessageId, republished.MessageId);
        Assert.Equal(1, await platform.ScalarAsync("SELECT count(*) FROM {schema}.care_plans WHERE assessment_id = $1", decided.AssessmentId));
        Assert.Equal(1, await platform.ScalarAsync("SELECT count(*) FROM {schema}.mt_events WHERE stream_id = $1", $"careplan-{decided.AssessmentId}"));
        Assert.Equal(1, (await platform.WaitForPlanAsync(decided.AssessmentId)).Version);
    }

    [Fact]
    public async Task Two_instances_competing_for_the_queue_draft_exactly_one_plan_per_assessment()
    {
        var messages = Enumerable.Range(0, 20)
            .Select(_ => CarePlanPlatform.Decided(CarePlanPlatform.Sample("v10-sedatives-sciatica")))
            .SelectMany(d => new[] { d, d with { MessageId = Guid.NewGuid() } })
            .ToList();
        await Task.WhenAll(messages.Select(m => platform.PublishAsync(m, m.MessageId)));

        await platform.WaitHandledAsync([.. messages.Select(m => m.MessageId)]);
        var assessments = messages.Select(m => m.AssessmentId).Distinct().ToArray();
        Assert.Equal(20, await platform.ScalarAsync("SELECT count(*) FROM {schema}.care_plans WHERE assessment_id = ANY($1)", [assessments]));
        Assert.Equal(20, await platform.ScalarAsync("SELECT count(*) FROM {schema}.mt_events WHERE stream_id = ANY($1)", [assessments.Select(a => $"careplan-{a}").ToArray()]));
    }

    [Fact]
    public async Task A_gi_bleed_excludes_nsaids_with_the_reason()
    {
        var submission = CarePlanPlatform.Sample("v01-lifting-strain");
        submission.Comorbidities.Add(SpasmPlatform.Assessment.V1.Comorbidity.GiUlcerOrBleed);
        var decided = CarePlanPlatform.Decided(submission);
        await platform.PublishAsync(decided, decided.MessageId);

        var plan = await platform.WaitForPlanAsync(decided.AssessmentId);
        Assert.DoesNotContain(plan.Interventions, i => i.Code == "nsaids");
        var excluded = Assert.Single(plan.Excluded, e => e.Code == "nsaids");
        Assert.StartsWith("contraindicated by COMORBIDITY_GI_ULCER_OR_BLEED", excluded.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task V10_plan_cautions_about_gabapentinoids_and_benzodiazepines()
    {
        var decided = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v10-sedatives-sciatica"));
        await platform.PublishAsync(decided, decided.MessageId);

        var plan = await platform.WaitForPlanAsync(decided.AssessmentId);
        Assert.Contains(plan.Cautions, c => c.StartsWith("MEDICATION_GABAPENTINOID", StringComparison.Ordinal) && c.Contains("not recommended", StringComparison.Ordinal));
        Assert.Contains(plan.Cautions, c => c.StartsWith("MEDICATION_BENZODIAZEPINE", StringComparison.Ordinal) && c.Contains("not recommended", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Review_flow_checks_versions_codes_and_reasons_and_announces_the_review()
    {
        var decided = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v01-lifting-strain"));
        await platform.PublishAsync(decided, decided.MessageId);
        var plan = await platform.WaitForPlanAsync(decided.AssessmentId);

        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await platform.Client.AmendCarePlanAsync(new AmendCarePlanRequest
        {
            CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "physio-1", Reason = "add", AddInterventionCodes = { "levitation" },
        }));
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);

        var noReason = await Assert.ThrowsAsync<RpcException>(async () => await platform.Client.RejectCarePlanAsync(new RejectCarePlanRequest
        {
            CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "physio-1",
        }));
        Assert.Equal(StatusCode.InvalidArgument, noReason.StatusCode);

        var amended = await platform.Client.AmendCarePlanAsync(new AmendCarePlanRequest
        {
            CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "physio-1", Reason = "prefers no ice",
            RemoveInterventionCodes = { "cold_therapy" }, AddInterventionCodes = { "posture_ergonomics" },
        });
        Assert.Equal(2, amended.Version);
        Assert.DoesNotContain(amended.Interventions, i => i.Code == "cold_therapy");
        Assert.Contains(amended.Interventions, i => i.Code == "posture_ergonomics" && i.Rationale.Contains("prefers no ice", StringComparison.Ordinal));

        var stale = await Assert.ThrowsAsync<RpcException>(async () => await platform.Client.ApproveCarePlanAsync(new ApproveCarePlanRequest
        {
            CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = "physio-2",
        }));
        Assert.Equal(StatusCode.Aborted, stale.StatusCode);

        var approved = await platform.Client.ApproveCarePlanAsync(new ApproveCarePlanRequest
        {
            CarePlanId = plan.CarePlanId, ExpectedVersion = amended.Version, PhysiotherapistId = "physio-2", Note = "agreed",
        });
        Assert.Equal(CarePlanStatus.Approved, approved.Status);
        Assert.Equal("physio-2", approved.ReviewedBy);
        Assert.Equal("agreed", approved.ReviewNote);
        Assert.Equal(approved, await platform.Client.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = plan.CarePlanId }));

        var again = await Assert.ThrowsAsync<RpcException>(async () => await platform.Client.RejectCarePlanAsync(new RejectCarePlanRequest
        {
            CarePlanId = plan.CarePlanId, ExpectedVersion = approved.Version, PhysiotherapistId = "physio-2", Reason = "changed my mind",
        }));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);

        var first = await CarePlanPlatform.NextAboutAsync(platform.ReviewedQueue, decided.AssessmentId);
        var second = await CarePlanPlatform.NextAboutAsync(platform.ReviewedQueue, decided.AssessmentId);
        Assert.Equal("AMENDED", first.GetProperty("status").GetString());
        Assert.Equal("CARE_PLAN_STATUS_APPROVED", second.GetProperty("status").GetString());
        Assert.Equal("physio-2", second.GetProperty("reviewedBy").GetString());
        Assert.Equal("physio-2", await ActorOfAsync(decided.AssessmentId, 3));
    }

    [Fact]
    public async Task Reviews_racing_at_the_same_version_on_both_instances_have_exactly_one_winner()
    {
        var decided = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v01-lifting-strain"));
        await platform.PublishAsync(decided, decided.MessageId);
        var plan = await platform.WaitForPlanAsync(decided.AssessmentId);
        using var secondChannel = Grpc.Net.Client.GrpcChannel.ForAddress(platform.Services[1].Address);
        CarePlanService.CarePlanServiceClient[] clients = [platform.Client, new CarePlanService.CarePlanServiceClient(secondChannel)];

        // Approvals, rejections and amendments of the same version, half on each instance.
        var winner = await Race.OneWinnerAsync(
            Enumerable.Range(0, 6).Select(i => (Func<Task<CarePlanMessage>>)(async () =>
            {
                var client = clients[i % 2];
                var physiotherapist = $"physio-{i}";
                return await ((i % 3) switch
                {
                    0 => client.ApproveCarePlanAsync(new ApproveCarePlanRequest { CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = physiotherapist }),
                    1 => client.RejectCarePlanAsync(new RejectCarePlanRequest { CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = physiotherapist, Reason = "not for this patient" }),
                    _ => client.AmendCarePlanAsync(new AmendCarePlanRequest
                    {
                        CarePlanId = plan.CarePlanId, ExpectedVersion = plan.Version, PhysiotherapistId = physiotherapist, Reason = "prefers no ice", RemoveInterventionCodes = { "cold_therapy" },
                    }),
                });
            })),
            $"careplan-{decided.AssessmentId} was changed by someone else (expected version {plan.Version}); read it again and retry.");
        Assert.Equal(plan.Version + 1, winner.Version);
        Assert.Equal(winner, await platform.Client.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = plan.CarePlanId }));
        // The draft and one review: no gap, nothing of a loser, one announcement.
        Assert.Equal(winner.Version, await platform.ScalarAsync("SELECT count(*) FROM {schema}.mt_events WHERE stream_id = $1", $"careplan-{decided.AssessmentId}"));
        Assert.Equal(winner.Version, await platform.ScalarAsync("SELECT max(version) FROM {schema}.mt_events WHERE stream_id = $1", $"careplan-{decided.AssessmentId}"));
        Assert.Equal(1, await platform.ScalarAsync(
            "SELECT count(*) FROM {schema}.outbox WHERE stream_id = $1 AND message_type LIKE '%CarePlanReviewed'", $"careplan-{decided.AssessmentId}"));
        Assert.Equal(winner.ReviewedBy, await ActorOfAsync(decided.AssessmentId, winner.Version));
    }

    [Fact]
    public async Task Unknown_plans_are_not_found()
    {
        var get = await Assert.ThrowsAsync<RpcException>(async () => await platform.Client.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = "cp-nobody-1" }));
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        var approve = await Assert.ThrowsAsync<RpcException>(async () => await platform.Client.ApproveCarePlanAsync(new ApproveCarePlanRequest
        {
            CarePlanId = "cp-nobody-1", ExpectedVersion = 1, PhysiotherapistId = "physio-1",
        }));
        Assert.Equal(StatusCode.NotFound, approve.StatusCode);
    }

    [Fact]
    public async Task List_pages_a_clinics_plans_newest_first_and_filters_by_status()
    {
        var clinic = $"clinic-{Guid.NewGuid():N}";
        var ids = new List<string>();
        foreach (var sample in new[] { "v01-lifting-strain", "v04-cauda-equina", "v02-medium-risk" })
        {
            var decided = CarePlanPlatform.Decided(CarePlanPlatform.Sample(sample, clinic));
            await platform.PublishAsync(decided, decided.MessageId);
            ids.Add((await platform.WaitForPlanAsync(decided.AssessmentId)).CarePlanId);
        }

        var first = await platform.Client.ListCarePlansAsync(new ListCarePlansRequest { ClinicId = clinic, PageSize = 2 });
        var second = await platform.Client.ListCarePlansAsync(new ListCarePlansRequest { ClinicId = clinic, PageSize = 2, PageToken = first.NextPageToken });
        Assert.Equal(Enumerable.Reverse(ids), first.CarePlans.Concat(second.CarePlans).Select(p => p.CarePlanId));
        Assert.Empty(second.NextPageToken);

        var referral = await platform.Client.ListCarePlansAsync(new ListCarePlansRequest { ClinicId = clinic, Status = CarePlanStatus.ReferralOnly });
        Assert.Equal(ids[1], Assert.Single(referral.CarePlans).CarePlanId);

        // A token continues only the listing it came from: not another clinic's, not another status.
        foreach (var other in new[]
        {
            new ListCarePlansRequest { ClinicId = $"clinic-{Guid.NewGuid():N}", PageSize = 2, PageToken = first.NextPageToken },
            new ListCarePlansRequest { ClinicId = clinic, Status = CarePlanStatus.PendingReview, PageSize = 2, PageToken = first.NextPageToken },
            new ListCarePlansRequest { ClinicId = clinic, PageToken = first.NextPageToken[..^2] },
        })
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () => await platform.Client.ListCarePlansAsync(other));
            Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
            Assert.Equal("page_token", Assert.Single(refused.GetRpcStatus()!.GetDetail<Google.Rpc.BadRequest>()!.FieldViolations).Field);
        }
    }

    [Fact]
    public async Task An_override_redrafts_the_plan_and_supersedes_the_old_one()
    {
        var decided = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v01-lifting-strain"));
        await platform.PublishAsync(decided, decided.MessageId);
        var original = await platform.WaitForPlanAsync(decided.AssessmentId);

        var overridden = new TriageOverridden(
            Guid.NewGuid(), decided.CorrelationId, decided.ClinicId, decided.AssessmentId, Urgency.Emergency, decided.Urgency, "dr-override",
            "septic-looking, rigors", decided.RuleSetVersion, decided.KnowledgeVersion, 3, DateTimeOffset.UtcNow);
        await platform.PublishAsync(overridden, overridden.MessageId);
        await platform.PublishAsync(overridden, overridden.MessageId);

        var redrafted = await platform.WaitForPlanAsync(decided.AssessmentId, p => p.CarePlanId != original.CarePlanId);
        Assert.Equal(CarePlanStatus.ReferralOnly, redrafted.Status);
        Assert.Equal(Urgency.Emergency, redrafted.Urgency);
        Assert.Equal(original.CarePlanId, redrafted.SupersedesCarePlanId);
        Assert.Contains("septic-looking", redrafted.ReferralAction, StringComparison.Ordinal);

        var old = await platform.Client.GetCarePlanAsync(new GetCarePlanRequest { CarePlanId = original.CarePlanId });
        Assert.Equal(CarePlanStatus.Superseded, old.Status);
        Assert.Equal(redrafted.CarePlanId, old.SupersededByCarePlanId);
        Assert.Equal(original.Interventions, old.Interventions);

        await platform.WaitHandledAsync(overridden.MessageId);
        Assert.Equal(2, await platform.ScalarAsync("SELECT count(*) FROM {schema}.care_plans WHERE assessment_id = $1", decided.AssessmentId));
    }

    [Fact]
    public async Task A_message_that_cannot_be_processed_is_retried_then_lands_in_the_error_queue_and_others_keep_flowing()
    {
        var broken = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v01-lifting-strain")) with { SubmissionJson = "{not json" };
        await platform.PublishAsync(broken, broken.MessageId);
        var healthy = CarePlanPlatform.Decided(CarePlanPlatform.Sample("v02-medium-risk"));
        await platform.PublishAsync(healthy, healthy.MessageId);

        await platform.WaitForPlanAsync(healthy.AssessmentId);
        while (true)
        {
            var dead = await RabbitMqAdmin.TakeAsync(Platform.RabbitMq, $"{platform.TriageQueue}_error", TimeSpan.FromSeconds(60));
            var body = System.Text.Encoding.UTF8.GetString(dead.Body.Span);
            if (body.Contains(broken.AssessmentId, StringComparison.Ordinal))
            {
                Assert.Contains("MT-Fault-Message", string.Join(",", dead.BasicProperties.Headers?.Keys ?? []), StringComparison.Ordinal);
                break;
            }
        }

        Assert.Equal(0, await platform.ScalarAsync("SELECT count(*) FROM {schema}.care_plans WHERE assessment_id = $1", broken.AssessmentId));
    }

    private async Task<string?> ActorOfAsync(string assessmentId, long version)
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(Platform.Postgres);
        await using var command = dataSource.CreateCommand($"SELECT user_name FROM {platform.Schema}.mt_events WHERE stream_id = $1 AND version = $2");
        command.Parameters.AddWithValue($"careplan-{assessmentId}");
        command.Parameters.AddWithValue(version);
        return (string?)await command.ExecuteScalarAsync();
    }
}
