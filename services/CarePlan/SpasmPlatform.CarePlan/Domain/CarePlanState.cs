using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>
/// The plans of one assessment, folded from its stream. <see cref="EvolvePlan"/> is the part the inline read model
/// shares (it keeps one row per plan), so the stored plan and a replay of the stream can never disagree.
/// </summary>
public sealed class CarePlanState
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly Dictionary<string, V1.CarePlan> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CarePlanDrafted> _drafts = new(StringComparer.Ordinal);

    /// <summary>0 while the stream does not exist.</summary>
    public long Version { get; private set; }

    /// <summary>In drafting order.</summary>
    public IReadOnlyList<V1.CarePlan> Plans => [.. _plans.Values];

    /// <summary>The plan a new review or override applies to: the newest one not superseded.</summary>
    public V1.CarePlan? Current => _plans.Values.LastOrDefault(p => p.Status != CarePlanStatus.Superseded);

    public V1.CarePlan? Find(string carePlanId) => _plans.GetValueOrDefault(carePlanId);

    public CarePlanDrafted Draft(string carePlanId) => _drafts[carePlanId];

    public static CarePlanState Fold(IEnumerable<StoredEvent> events) => events.Aggregate(new CarePlanState(), Evolve);

    /// <summary>The state after <paramref name="stored"/>. Updates <paramref name="state"/> in place: a stream's plans are never shared.</summary>
    public static CarePlanState Evolve(CarePlanState state, StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(stored);
        state.Version = stored.StreamVersion;
        if (stored.EventType == CarePlanDrafted.EventType)
        {
            var drafted = stored.Data<CarePlanDrafted>();
            state._drafts[drafted.CarePlanId] = drafted;
            state._plans[drafted.CarePlanId] = Drafted(drafted, stored);
        }
        else if (PlanIdOf(stored) is { } planId && state._plans.TryGetValue(planId, out var plan))
        {
            EvolvePlan(plan, stored);
        }

        return state;
    }

    /// <summary>The plan as the drafted event records it, stamped with the event's version and time.</summary>
    public static V1.CarePlan Drafted(CarePlanDrafted drafted, StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(drafted);
        ArgumentNullException.ThrowIfNull(stored);
        var plan = Parser.Parse<V1.CarePlan>(drafted.Plan.GetRawText());
        plan.Version = stored.StreamVersion;
        plan.DraftedAt = Timestamp.FromDateTimeOffset(stored.RecordedAt);
        return plan;
    }

    /// <summary>The plan an event of this stream is about; null for event types this version does not know.</summary>
    public static string? PlanIdOf(StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.EventType switch
        {
            CarePlanApproved.EventType => stored.Data<CarePlanApproved>().CarePlanId,
            CarePlanAmended.EventType => stored.Data<CarePlanAmended>().CarePlanId,
            CarePlanRejected.EventType => stored.Data<CarePlanRejected>().CarePlanId,
            CarePlanSuperseded.EventType => stored.Data<CarePlanSuperseded>().CarePlanId,
            CarePlanDrafted.EventType => stored.Data<CarePlanDrafted>().CarePlanId,
            _ => null,
        };
    }

    /// <summary>How a review or supersession changes one plan (a drafted event makes a plan: see <see cref="Drafted"/>).</summary>
    public static void EvolvePlan(V1.CarePlan plan, StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(stored);
        var at = Timestamp.FromDateTimeOffset(stored.RecordedAt);
        switch (stored.EventType)
        {
            case CarePlanApproved.EventType:
                var approved = stored.Data<CarePlanApproved>();
                plan.Status = CarePlanStatus.Approved;
                plan.ReviewedBy = approved.PhysiotherapistId;
                plan.ReviewNote = approved.Note;
                plan.ReviewedAt = at;
                break;
            case CarePlanAmended.EventType:
                var amended = stored.Data<CarePlanAmended>();
                var removed = amended.Removed.ToHashSet(StringComparer.Ordinal);
                var kept = plan.Interventions.Where(i => !removed.Contains(i.Code)).ToList();
                plan.Interventions.Clear();
                plan.Interventions.Add(kept);
                plan.Interventions.Add(amended.Added.Select(a => Parser.Parse<PlannedIntervention>(a.GetRawText())));
                plan.ReviewedBy = amended.PhysiotherapistId;
                plan.ReviewNote = amended.Reason;
                plan.ReviewedAt = at;
                break;
            case CarePlanRejected.EventType:
                var rejected = stored.Data<CarePlanRejected>();
                plan.Status = CarePlanStatus.Rejected;
                plan.ReviewedBy = rejected.PhysiotherapistId;
                plan.ReviewNote = rejected.Reason;
                plan.ReviewedAt = at;
                break;
            case CarePlanSuperseded.EventType:
                var superseded = stored.Data<CarePlanSuperseded>();
                plan.Status = CarePlanStatus.Superseded;
                plan.SupersededByCarePlanId = superseded.SupersededByCarePlanId;
                break;
            default:
                return;
        }

        plan.Version = stored.StreamVersion;
    }
}
