using Google.Protobuf;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Tests;

/// <summary>The physiotherapist's approve, amend and reject as <see cref="CarePlanDecider"/> decides them, from every status.</summary>
public sealed class CarePlanDeciderTests
{
    private const string Physio = "physio-1";

    public static TheoryData<CarePlanStatus> Reviewable => [CarePlanStatus.PendingReview, CarePlanStatus.ReferralOnly];

    public static TheoryData<CarePlanStatus> Closed => [CarePlanStatus.Approved, CarePlanStatus.Rejected, CarePlanStatus.Superseded];

    public static TheoryData<CarePlanStatus> NotAmendable => [CarePlanStatus.ReferralOnly, CarePlanStatus.Approved, CarePlanStatus.Rejected, CarePlanStatus.Superseded];

    [Theory]
    [MemberData(nameof(Reviewable))]
    public void A_plan_awaiting_review_is_approved(CarePlanStatus status)
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(status);

        var approved = CarePlanDecider.Approve(stream.State, Approve(stream.Version));

        Assert.Equal(new CarePlanApproved(CarePlanStreamBuilder.FirstPlanId, Physio, "agreed"), approved);
        var plan = stream.Then(approved).State.Find(CarePlanStreamBuilder.FirstPlanId)!;
        Assert.Equal(CarePlanStatus.Approved, plan.Status);
        Assert.Equal(Physio, plan.ReviewedBy);
        Assert.Equal("agreed", plan.ReviewNote);
        Assert.Equal(stream.Version, plan.Version);
    }

    [Theory]
    [MemberData(nameof(Closed))]
    public void A_closed_plan_is_not_approved(CarePlanStatus status)
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(status);

        var refused = Assert.Throws<CarePlanStateException>(() => CarePlanDecider.Approve(stream.State, Approve(stream.Version)));

        Assert.Equal($"Cannot approve care plan {CarePlanStreamBuilder.FirstPlanId}: it is {status}.", refused.Message);
    }

    [Theory]
    [MemberData(nameof(Reviewable))]
    public void A_plan_awaiting_review_is_rejected_with_its_reason(CarePlanStatus status)
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(status);

        var rejected = CarePlanDecider.Reject(stream.State, Reject(stream.Version, "Needs a specialist first."));

        Assert.Equal(new CarePlanRejected(CarePlanStreamBuilder.FirstPlanId, Physio, "Needs a specialist first."), rejected);
        Assert.Equal(CarePlanStatus.Rejected, stream.Then(rejected).State.Find(CarePlanStreamBuilder.FirstPlanId)!.Status);
    }

    [Theory]
    [MemberData(nameof(Closed))]
    public void A_closed_plan_is_not_rejected(CarePlanStatus status)
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(status);

        var refused = Assert.Throws<CarePlanStateException>(() => CarePlanDecider.Reject(stream.State, Reject(stream.Version, "changed my mind")));

        Assert.Equal($"Cannot reject care plan {CarePlanStreamBuilder.FirstPlanId}: it is {status}.", refused.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" \t")]
    public void A_rejection_without_a_reason_is_refused(string reason)
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(CarePlanStatus.PendingReview);

        Assert.Throws<ArgumentException>(() => CarePlanDecider.Reject(stream.State, Reject(stream.Version, reason)));
    }

    [Fact]
    public void An_amendment_adds_interventions_of_the_plans_knowledge_and_removes_planned_ones()
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(CarePlanStatus.PendingReview);
        var before = stream.State.Find(CarePlanStreamBuilder.FirstPlanId)!;
        var removed = before.Interventions[0].Code;
        var added = NotIn(before);

        var amended = CarePlanDecider.Amend(stream.State, Amend(stream.Version, add: [added.Code], remove: [removed]), Samples.Knowledge);

        Assert.Equal(CarePlanStreamBuilder.FirstPlanId, amended.CarePlanId);
        Assert.Equal(Physio, amended.PhysiotherapistId);
        Assert.Equal("Prefers no ice.", amended.Reason);
        Assert.Equal([removed], amended.Removed);
        var stored = JsonParser.Default.Parse<PlannedIntervention>(Assert.Single(amended.Added).GetRawText());
        Assert.Equal(CarePlanDrafter.ToPlanned(added, $"added by physiotherapist {Physio}: Prefers no ice."), stored);

        var after = stream.Then(amended).State.Find(CarePlanStreamBuilder.FirstPlanId)!;
        Assert.Equal(CarePlanStatus.PendingReview, after.Status);
        Assert.Equal(
            before.Interventions.Skip(1).Select(i => i.Code).Append(added.Code),
            after.Interventions.Select(i => i.Code));
        Assert.Equal(stream.Version, after.Version);
    }

    [Fact]
    public void An_amended_plan_is_still_awaiting_review_and_what_was_added_is_now_in_it()
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(CarePlanStatus.PendingReview);
        var added = NotIn(stream.State.Find(CarePlanStreamBuilder.FirstPlanId)!).Code;
        stream.Then(CarePlanDecider.Amend(stream.State, Amend(stream.Version, add: [added], remove: []), Samples.Knowledge));

        var again = Assert.Throws<CarePlanReviewException>(() =>
            CarePlanDecider.Amend(stream.State, Amend(stream.Version, add: [added], remove: []), Samples.Knowledge));
        Assert.Equal([("add_intervention_codes[0]", $"'{added}' is already in the plan")], again.Violations.Select(v => (v.Field, v.Description)));

        var removedAgain = CarePlanDecider.Amend(stream.State, Amend(stream.Version, add: [], remove: [added]), Samples.Knowledge);
        Assert.Equal([added], removedAgain.Removed);
        stream.Then(removedAgain);
        var approved = CarePlanDecider.Approve(stream.State, Approve(stream.Version));
        Assert.Equal(CarePlanStatus.Approved, stream.Then(approved).State.Find(CarePlanStreamBuilder.FirstPlanId)!.Status);
    }

    [Fact]
    public void Every_code_the_plan_or_its_knowledge_does_not_allow_is_named_by_its_index()
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(CarePlanStatus.PendingReview);
        var plan = stream.State.Find(CarePlanStreamBuilder.FirstPlanId)!;
        var planned = plan.Interventions[0].Code;
        var fresh = NotIn(plan).Code;

        var refused = Assert.Throws<CarePlanReviewException>(() => CarePlanDecider.Amend(
            stream.State, Amend(stream.Version, add: [fresh, "levitation", planned, fresh], remove: [planned, "cupping"]), Samples.Knowledge));

        Assert.Equal(
            [
                ("add_intervention_codes[1]", $"'levitation' is not an intervention of knowledge version {plan.KnowledgeVersion}"),
                ("add_intervention_codes[2]", $"'{planned}' is already in the plan"),
                ("add_intervention_codes[3]", $"'{fresh}' is already in the plan"),
                ("remove_intervention_codes[1]", "'cupping' is not in the plan"),
            ],
            refused.Violations.Select(v => (v.Field, v.Description)));
    }

    [Theory]
    [MemberData(nameof(NotAmendable))]
    public void Only_a_plan_pending_review_is_amended(CarePlanStatus status)
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(status);

        // Codes that would be refused too: the status is the answer that matters first.
        var refused = Assert.Throws<CarePlanStateException>(() =>
            CarePlanDecider.Amend(stream.State, Amend(stream.Version, add: ["levitation"], remove: ["cupping"]), Samples.Knowledge));

        Assert.Equal($"Cannot amend care plan {CarePlanStreamBuilder.FirstPlanId}: it is {status}.", refused.Message);
    }

    [Fact]
    public void An_amendment_without_a_reason_is_refused()
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(CarePlanStatus.PendingReview);
        var planned = stream.State.Find(CarePlanStreamBuilder.FirstPlanId)!.Interventions[0].Code;

        Assert.Throws<ArgumentException>(() =>
            CarePlanDecider.Amend(stream.State, Amend(stream.Version, add: [], remove: [planned]) with { Reason = "" }, Samples.Knowledge));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public void A_review_of_another_version_than_the_streams_is_a_conflict_whatever_the_status(long offset)
    {
        foreach (var status in Enum.GetValues<CarePlanStatus>().Where(s => s != CarePlanStatus.Unspecified))
        {
            var stream = CarePlanStreamBuilder.WithFirstPlan(status);
            var read = stream.Version + offset;

            Conflict(() => CarePlanDecider.Approve(stream.State, Approve(read)), read);
            Conflict(() => CarePlanDecider.Reject(stream.State, Reject(read, "reason")), read);
            Conflict(() => CarePlanDecider.Amend(stream.State, Amend(read, add: ["levitation"], remove: []), Samples.Knowledge), read);
        }
    }

    [Fact]
    public void The_version_read_before_another_review_is_stale_after_it()
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(CarePlanStatus.PendingReview);
        var read = stream.Version;
        var planned = stream.State.Find(CarePlanStreamBuilder.FirstPlanId)!.Interventions[0].Code;
        stream.Then(CarePlanDecider.Amend(stream.State, Amend(read, add: [], remove: [planned]), Samples.Knowledge));

        Conflict(() => CarePlanDecider.Approve(stream.State, Approve(read)), read);
        Assert.Equal(CarePlanStreamBuilder.FirstPlanId, CarePlanDecider.Approve(stream.State, Approve(read + 1)).CarePlanId);
    }

    [Fact]
    public void An_unknown_plan_is_not_found_before_its_version_is_looked_at()
    {
        var stream = CarePlanStreamBuilder.WithFirstPlan(CarePlanStatus.PendingReview);
        var unknown = CarePlanStreamBuilder.SecondPlanId;

        Assert.Throws<CarePlanNotFoundException>(() => CarePlanDecider.Approve(stream.State, Approve(99) with { CarePlanId = unknown }));
        Assert.Throws<CarePlanNotFoundException>(() => CarePlanDecider.Reject(stream.State, Reject(99, "reason") with { CarePlanId = unknown }));
        Assert.Throws<CarePlanNotFoundException>(() =>
            CarePlanDecider.Amend(stream.State, Amend(99, add: [], remove: ["x"]) with { CarePlanId = unknown }, Samples.Knowledge));
        Assert.Throws<CarePlanNotFoundException>(() => CarePlanDecider.Approve(CarePlanState.Fold([]), Approve(0)));
    }

    [Fact]
    public void After_an_override_the_new_plan_is_reviewed_and_the_superseded_one_is_not()
    {
        var stream = CarePlanStreamBuilder.Drafted(CarePlanStreamBuilder.PendingSample).Redrafted(CarePlanStreamBuilder.PendingSample);

        Assert.Equal(CarePlanStreamBuilder.SecondPlanId, stream.State.Current!.CarePlanId);
        Assert.Throws<CarePlanStateException>(() => CarePlanDecider.Approve(stream.State, Approve(stream.Version)));
        var approved = CarePlanDecider.Approve(stream.State, Approve(stream.Version) with { CarePlanId = CarePlanStreamBuilder.SecondPlanId });
        Assert.Equal(CarePlanStreamBuilder.SecondPlanId, approved.CarePlanId);
    }

    private static void Conflict(Func<object> review, long read)
    {
        var conflict = Assert.Throws<ConcurrencyException>(review);
        Assert.Equal(CarePlanStreamBuilder.StreamId, conflict.StreamId);
        Assert.Equal(ExpectedVersion.Exactly(read), conflict.Expected);
    }

    private static Knowledge.V1.Intervention NotIn(V1.CarePlan plan) =>
        Samples.Knowledge.Interventions.First(i => plan.Interventions.All(p => p.Code != i.Code));

    private static ApproveCarePlan Approve(long expectedVersion) => new(CarePlanStreamBuilder.FirstPlanId, expectedVersion, Physio, "agreed");

    private static RejectCarePlan Reject(long expectedVersion, string reason) => new(CarePlanStreamBuilder.FirstPlanId, expectedVersion, Physio, reason);

    private static AmendCarePlan Amend(long expectedVersion, IReadOnlyList<string> add, IReadOnlyList<string> remove) =>
        new(CarePlanStreamBuilder.FirstPlanId, expectedVersion, Physio, "Prefers no ice.", add, remove);
}
