using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Tests;

/// <summary>
/// A care-plan stream as the store would hand it back (versions from 1), made of the service's own events around
/// plans the real drafter drafted from the samples, so every state under test is the fold of a stream.
/// </summary>
internal sealed class CarePlanStreamBuilder
{
    public const string AssessmentId = "6f1d2c3b-4a59-8e7d-b6c5-a4b3c2d1e0f9";

    /// <summary>Drafts as pending review (self-care urgency, exercises planned).</summary>
    public const string PendingSample = "v01-lifting-strain";

    /// <summary>Drafts as referral only (emergency urgency, nothing to amend).</summary>
    public const string ReferralSample = "v04-cauda-equina";

    private static readonly DateTimeOffset Start = new(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);
    private readonly List<StoredEvent> _events = [];

    public static string StreamId => CarePlanStream.Id(AssessmentId);

    public static string FirstPlanId => CarePlanStream.PlanId(AssessmentId, 1);

    public static string SecondPlanId => CarePlanStream.PlanId(AssessmentId, 2);

    public long Version => _events.Count;

    public CarePlanState State => CarePlanState.Fold(_events);

    /// <summary>A stream whose first plan is in <paramref name="status"/>, reached the way the service reaches it.</summary>
    public static CarePlanStreamBuilder WithFirstPlan(CarePlanStatus status) => status switch
    {
        CarePlanStatus.PendingReview => Drafted(PendingSample),
        CarePlanStatus.ReferralOnly => Drafted(ReferralSample),
        CarePlanStatus.Approved => Drafted(PendingSample).Then(new CarePlanApproved(FirstPlanId, "physio-0", "fine")),
        CarePlanStatus.Rejected => Drafted(PendingSample).Then(new CarePlanRejected(FirstPlanId, "physio-0", "wrong patient")),
        CarePlanStatus.Superseded => Drafted(PendingSample).Redrafted(ReferralSample),
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static CarePlanStreamBuilder Drafted(string sample)
    {
        var builder = new CarePlanStreamBuilder();
        return builder.Then(builder.Draft(sample, 1, supersedes: null));
    }

    /// <summary>What an override does: the current plan superseded and a new one drafted, in one append.</summary>
    public CarePlanStreamBuilder Redrafted(string sample) =>
        Then(new CarePlanSuperseded(FirstPlanId, SecondPlanId, "Triage overridden"))
            .Then(Draft(sample, 2, supersedes: FirstPlanId));

    public CarePlanStreamBuilder Then(object data)
    {
        var eventType = (string)data.GetType().GetField("EventType")!.GetValue(null)!;
        var version = _events.Count + 1;
        _events.Add(new StoredEvent(
            500 + version, StreamId, version, Guid.CreateVersion7(), eventType, data, new EventMetadata(Actor: "tests"), Start.AddMinutes(version)));
        return this;
    }

    private CarePlanDrafted Draft(string sample, int number, string? supersedes)
    {
        var plan = Samples.Plan(sample);
        plan.CarePlanId = CarePlanStream.PlanId(AssessmentId, number);
        plan.AssessmentId = AssessmentId;
        plan.ClinicId = "clinic-a";
        plan.SupersedesCarePlanId = supersedes ?? string.Empty;
        return new CarePlanDrafted(plan.CarePlanId, AssessmentId, Version + 2, ProtoJson.ToElement(plan), "{}", "{}", supersedes);
    }
}
