using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Common.V1;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Assessment.Tests;

/// <summary>The clinician's override as <see cref="AssessmentDecider.Override"/> decides it, on states folded from streams.</summary>
public sealed class OverrideDeciderTests
{
    private static readonly DateTimeOffset At = new DateTimeOffset(2026, 12, 4, 10, 15, 30, TimeSpan.Zero).AddTicks(1_234_567);

    /// <summary>Levels as a pinned rule set holds them; deliberately without WITHIN_2_WEEKS.</summary>
    private static readonly UrgencyLevel[] PinnedLevels =
    [
        new() { Urgency = Urgency.Emergency, ActWithinMinutes = 0, Disposition = "Send to the emergency department now." },
        new() { Urgency = Urgency.SameDay, ActWithinMinutes = 360, Disposition = "Same-day assessment." },
        new() { Urgency = Urgency.Routine, ActWithinMinutes = 40320, Disposition = "Routine referral." },
        new() { Urgency = Urgency.SelfCare, ActWithinMinutes = -1, Disposition = "Self-management with safety-netting." },
    ];

    [Fact]
    public void A_triaged_assessment_is_overridden_with_the_pinned_sla_and_wording_of_the_new_urgency()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare);

        var overridden = AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.SameDay), PinnedLevels);

        Assert.Equal(
            new TriageOverridden(AssessmentStreamBuilder.AssessmentId, Urgency.SameDay, Urgency.SelfCare, 360, "Same-day assessment.", "clinician-9", "Visibly unwell on examination.", At),
            overridden);
    }

    [Fact]
    public void The_time_is_the_commands_own_and_the_same_command_decides_the_same_event()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.Routine);
        var command = Command(stream.Version, Urgency.Emergency);

        var first = AssessmentDecider.Override(stream.State, command, PinnedLevels);
        var second = AssessmentDecider.Override(stream.State, command, PinnedLevels);

        Assert.Equal(At, first.At);
        Assert.Equal(first, second);
    }

    [Fact]
    public void An_overridden_assessment_can_be_overridden_again_and_the_previous_urgency_is_the_last_override()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare);
        stream.Then(AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.Routine), PinnedLevels));

        var again = AssessmentDecider.Override(stream.State, Command(3, Urgency.Emergency), PinnedLevels);

        Assert.Equal(Urgency.Emergency, again.Urgency);
        Assert.Equal(Urgency.Routine, again.PreviousUrgency);
        Assert.Equal(0, again.ActWithinMinutes);
    }

    [Fact]
    public void An_override_may_confirm_the_current_urgency()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.Routine);

        var confirmed = AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.Routine), PinnedLevels);

        Assert.Equal(Urgency.Routine, confirmed.Urgency);
        Assert.Equal(Urgency.Routine, confirmed.PreviousUrgency);
    }

    [Fact]
    public void An_urgency_the_pinned_rule_set_has_no_level_for_records_no_sla_and_no_wording()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare);

        var overridden = AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.Within2Weeks), PinnedLevels);

        Assert.Equal(AssessmentDecider.NoSla, overridden.ActWithinMinutes);
        Assert.Equal(string.Empty, overridden.Disposition);
    }

    [Fact]
    public void The_decided_event_folds_into_the_new_urgency_and_keeps_the_engines()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare);
        var overridden = AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.SameDay), PinnedLevels);

        var state = stream.Then(overridden).State!;

        Assert.Equal(3, state.Version);
        Assert.Equal(Urgency.SameDay, state.Triage.Urgency);
        Assert.Equal(Urgency.SelfCare, state.Triage.EngineUrgency);
        Assert.Equal(360, state.Triage.ActWithinMinutes);
        Assert.Equal("Same-day assessment.", state.Triage.Disposition);
        Assert.Equal("clinician-9", state.Triage.Override.ClinicianId);
        Assert.Equal("Visibly unwell on examination.", state.Triage.Override.Reason);
        Assert.Equal(At, state.Triage.Override.At.ToDateTimeOffset());
    }

    [Fact]
    public void An_unknown_assessment_is_not_found_whatever_version_is_named()
    {
        var error = Assert.Throws<AssessmentNotFoundException>(() => AssessmentDecider.Override(null, Command(2, Urgency.Routine), PinnedLevels));

        Assert.Equal(AssessmentStreamBuilder.AssessmentId, error.AssessmentId);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(42)]
    public void A_version_other_than_the_streams_is_a_conflict(long expectedVersion)
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare);

        var conflict = Assert.Throws<ConcurrencyException>(() => AssessmentDecider.Override(stream.State, Command(expectedVersion, Urgency.Routine), PinnedLevels));

        Assert.Equal(AssessmentStreamBuilder.StreamId, conflict.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(expectedVersion), conflict.Expected);
    }

    [Fact]
    public void The_version_read_before_another_override_is_stale_after_it()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare);
        var readAt = stream.Version;
        stream.Then(AssessmentDecider.Override(stream.State, Command(readAt, Urgency.Routine), PinnedLevels));

        Assert.Throws<ConcurrencyException>(() => AssessmentDecider.Override(stream.State, Command(readAt, Urgency.Emergency), PinnedLevels));
    }

    [Fact]
    public void Events_this_version_does_not_decide_on_still_move_the_version_an_override_must_name()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare)
            .Then(CarePlanLinked.EventType, new CarePlanLinked(AssessmentStreamBuilder.AssessmentId, "cp-1", "CARE_PLAN_STATUS_PENDING_REVIEW", DateTimeOffset.UnixEpoch))
            .Then("assessment.something_newer", new { Note = "written by a newer version" });

        Assert.Throws<ConcurrencyException>(() => AssessmentDecider.Override(stream.State, Command(2, Urgency.Routine), PinnedLevels));
        Assert.Equal(Urgency.Routine, AssessmentDecider.Override(stream.State, Command(4, Urgency.Routine), PinnedLevels).Urgency);
    }

    [Fact]
    public void Sealed_notes_have_no_part_in_the_decision_so_an_erasure_does_not_stop_an_override()
    {
        // An erasure destroys the key and records itself on the patient's erasure stream; the assessment's events stay.
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare, sealedNotes: "v1.key-destroyed.ciphertext");

        var overridden = AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.SameDay), PinnedLevels);

        Assert.Equal(Urgency.SameDay, overridden.Urgency);
    }

    [Fact]
    public void A_stream_without_a_triage_is_broken_not_refused()
    {
        var stream = AssessmentStreamBuilder.SubmittedOnly();

        Assert.Throws<InvalidOperationException>(() => AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.Routine), PinnedLevels));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_override_without_a_reason_is_refused(string reason)
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare);

        Assert.Throws<ArgumentException>(() => AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.Routine) with { Reason = reason }, PinnedLevels));
    }

    [Fact]
    public void An_override_must_name_an_urgency()
    {
        var stream = AssessmentStreamBuilder.Triaged(Urgency.SelfCare);

        Assert.Throws<ArgumentException>(() => AssessmentDecider.Override(stream.State, Command(stream.Version, Urgency.Unspecified), PinnedLevels));
    }

    private static OverrideTriage Command(long expectedVersion, Urgency urgency) =>
        new(AssessmentStreamBuilder.AssessmentId, expectedVersion, urgency, "clinician-9", "Visibly unwell on examination.", At);
}
