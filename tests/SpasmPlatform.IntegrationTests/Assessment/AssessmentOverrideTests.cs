using SpasmPlatform.IntegrationTests.Infrastructure;
using Google.Rpc;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using Grpc.Core;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.IntegrationTests.Assessment;

/// <summary>A clinician overriding the engine's urgency, with optimistic concurrency on the assessment's version.</summary>
public sealed class AssessmentOverrideTests(AssessmentHost host) : IClassFixture<AssessmentHost>
{
    [Fact]
    public async Task An_override_replaces_the_urgency_and_keeps_the_engines_decision()
    {
        var submitted = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "req-override"))).Assessment;
        Assert.Equal(Urgency.SelfCare, submitted.Triage.Urgency);

        var overridden = await host.Client.OverrideTriageAsync(new OverrideTriageRequest
        {
            AssessmentId = submitted.AssessmentId,
            ExpectedVersion = submitted.Version,
            Urgency = Urgency.SameDay,
            ClinicianId = "clinician-9",
            Reason = "Patient is visibly unwell; wants same-day review.",
        });

        Assert.Equal(submitted.Version + 1, overridden.Version);
        Assert.Equal(Urgency.SameDay, overridden.Triage.Urgency);
        Assert.Equal(Urgency.SelfCare, overridden.Triage.EngineUrgency);
        Assert.Equal(360, overridden.Triage.ActWithinMinutes); // the SAME_DAY level's SLA in the pinned rule set
        Assert.Equal(Urgency.SameDay, overridden.Triage.Override.Urgency);
        Assert.Equal("clinician-9", overridden.Triage.Override.ClinicianId);
        Assert.Equal("Patient is visibly unwell; wants same-day review.", overridden.Triage.Override.Reason);
        Assert.NotNull(overridden.Triage.Override.At);
        // The engine's trace and pinned versions are untouched.
        Assert.Equal(submitted.Triage.DecisionSteps, overridden.Triage.DecisionSteps);
        Assert.Equal(submitted.Triage.RuleSetVersion, overridden.Triage.RuleSetVersion);
        Assert.Equal(submitted.Triage.KnowledgeVersion, overridden.Triage.KnowledgeVersion);
        Assert.Equal(submitted.Submission, overridden.Submission);

        Assert.Equal(overridden, await host.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = submitted.AssessmentId }));
        Assert.Equal(1, await host.CountEventsAsync(submitted.AssessmentId, "assessment.triage_overridden"));
        Assert.Equal(1, await host.CountOutboxAsync(submitted.AssessmentId, "SpasmPlatform.Contracts.IntegrationEvents.TriageOverridden"));
    }

    [Fact]
    public async Task An_override_against_a_stale_version_is_aborted_and_changes_nothing()
    {
        var submitted = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "req-stale"))).Assessment;
        var first = await host.Client.OverrideTriageAsync(Override(submitted.AssessmentId, submitted.Version, Urgency.Routine));

        var stale = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.OverrideTriageAsync(Override(submitted.AssessmentId, submitted.Version, Urgency.Emergency)).ResponseAsync);

        Assert.Equal(StatusCode.Aborted, stale.StatusCode);
        Assert.Equal(first, await host.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = submitted.AssessmentId }));
        Assert.Equal(3, await host.CountEventsAsync(submitted.AssessmentId));

        // Re-read, retry with the current version: accepted.
        var retried = await host.Client.OverrideTriageAsync(Override(submitted.AssessmentId, first.Version, Urgency.Emergency));
        Assert.Equal(Urgency.Emergency, retried.Triage.Urgency);
        Assert.Equal(0, retried.Triage.ActWithinMinutes);
        Assert.Equal(Urgency.SelfCare, retried.Triage.EngineUrgency);
    }

    [Fact]
    public async Task Racing_overrides_of_the_same_version_have_exactly_one_winner_and_the_others_are_aborted_alike()
    {
        var submitted = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "req-race"))).Assessment;
        Urgency[] urgencies = [Urgency.Routine, Urgency.SameDay, Urgency.Within24Hours, Urgency.Emergency, Urgency.Within2Weeks, Urgency.SameDay];

        // Each racer reads the stream at the same version; whether a loser's read already sees the winner (the
        // decider refuses) or not (Marten refuses the append at save), it hears the same answer.
        var winner = await Race.OneWinnerAsync(
            urgencies.Select(urgency => (Func<Task<SpasmPlatform.Assessment.V1.Assessment>>)(async () =>
                await host.Client.OverrideTriageAsync(Override(submitted.AssessmentId, submitted.Version, urgency)))),
            $"assessment-{submitted.AssessmentId} was changed by someone else (expected version {submitted.Version}); read it again and retry.");

        // One override stored, at the next version: no gap, nothing of a loser.
        Assert.Equal(submitted.Version + 1, winner.Version);
        Assert.Equal(winner.Version, await host.CountEventsAsync(submitted.AssessmentId));
        Assert.Equal(1, await host.CountEventsAsync(submitted.AssessmentId, "assessment.triage_overridden"));
        Assert.Equal(1, await host.CountOutboxAsync(submitted.AssessmentId, "SpasmPlatform.Contracts.IntegrationEvents.TriageOverridden"));
        Assert.Equal(winner, await host.Client.GetAssessmentAsync(new GetAssessmentRequest { AssessmentId = submitted.AssessmentId }));
    }

    [Fact]
    public async Task An_override_needs_a_reason_and_valid_arguments()
    {
        var submitted = (await host.Client.SubmitAssessmentAsync(Submissions.LiftingStrain(Submissions.NewId("clinic"), "req-no-reason"))).Assessment;
        var events = await host.CountEventsAsync(submitted.AssessmentId);

        var noReason = Override(submitted.AssessmentId, submitted.Version, Urgency.Routine);
        noReason.Reason = "  ";
        var error = await Assert.ThrowsAsync<RpcException>(() => host.Client.OverrideTriageAsync(noReason).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("reason", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);

        var everything = await Assert.ThrowsAsync<RpcException>(() => host.Client.OverrideTriageAsync(new OverrideTriageRequest { Reason = new string('r', 2001) }).ResponseAsync);
        Assert.Equal(
            ["assessment_id", "expected_version", "urgency", "clinician_id", "reason"],
            everything.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations.Select(v => v.Field));
        Assert.Equal(events, await host.CountEventsAsync(submitted.AssessmentId));
    }

    [Fact]
    public async Task Overriding_an_unknown_assessment_is_not_found()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            host.Client.OverrideTriageAsync(Override(Guid.NewGuid().ToString(), 2, Urgency.Routine)).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    private static OverrideTriageRequest Override(string assessmentId, long expectedVersion, Urgency urgency) => new()
    {
        AssessmentId = assessmentId,
        ExpectedVersion = expectedVersion,
        Urgency = urgency,
        ClinicianId = "clinician-2",
        Reason = "Clinical judgement after examination.",
    };
}
