using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>The plans of one assessment, folded from its stream; the same fold feeds the read model.</summary>
public sealed class CarePlanStreamState
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly Dictionary<string, V1.CarePlan> _plans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CarePlanDraftedEvent> _drafts = new(StringComparer.Ordinal);

    public long Version { get; private set; }

    /// <summary>In drafting order.</summary>
    public IReadOnlyList<V1.CarePlan> Plans => [.. _plans.Values];

    /// <summary>The plan a new review or override applies to: the newest one not superseded.</summary>
    public V1.CarePlan? Current => _plans.Values.LastOrDefault(p => p.Status != CarePlanStatus.Superseded);

    public V1.CarePlan? Find(string carePlanId) => _plans.GetValueOrDefault(carePlanId);

    public CarePlanDraftedEvent Draft(string carePlanId) => _drafts[carePlanId];

    public static CarePlanStreamState Fold(IEnumerable<StoredEvent> events)
    {
        var state = new CarePlanStreamState();
        foreach (var stored in events)
        {
            state.Apply(stored);
        }

        return state;
    }

    public void Apply(StoredEvent stored)
    {
        Version = stored.StreamVersion;
        if (stored.EventType == CarePlanDraftedEvent.EventType)
        {
            var drafted = stored.Data<CarePlanDraftedEvent>();
            _drafts[drafted.CarePlanId] = drafted;
            _plans[drafted.CarePlanId] = Drafted(drafted, stored);
            return;
        }

        var planId = CarePlanFold.PlanIdOf(stored);
        if (planId is not null && _plans.TryGetValue(planId, out var plan))
        {
            CarePlanFold.Apply(plan, stored);
        }
    }

    /// <summary>The plan as the drafted event records it, stamped with the event's version and time.</summary>
    public static V1.CarePlan Drafted(CarePlanDraftedEvent drafted, StoredEvent stored)
    {
        var plan = Parser.Parse<V1.CarePlan>(drafted.Plan.GetRawText());
        plan.Version = stored.StreamVersion;
        plan.DraftedAt = Timestamp.FromDateTimeOffset(stored.RecordedAt);
        return plan;
    }
}
