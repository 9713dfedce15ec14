using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>How each review event changes a plan. Shared by the stream fold and the inline read model.</summary>
public static class CarePlanFold
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static string? PlanIdOf(StoredEvent stored) => stored.EventType switch
    {
        CarePlanApprovedEvent.EventType => stored.Data<CarePlanApprovedEvent>().CarePlanId,
        CarePlanAmendedEvent.EventType => stored.Data<CarePlanAmendedEvent>().CarePlanId,
        CarePlanRejectedEvent.EventType => stored.Data<CarePlanRejectedEvent>().CarePlanId,
        CarePlanSupersededEvent.EventType => stored.Data<CarePlanSupersededEvent>().CarePlanId,
        CarePlanDraftedEvent.EventType => stored.Data<CarePlanDraftedEvent>().CarePlanId,
        _ => null,
    };

    public static void Apply(V1.CarePlan plan, StoredEvent stored)
    {
        var at = Timestamp.FromDateTimeOffset(stored.RecordedAt);
        switch (stored.EventType)
        {
            case CarePlanApprovedEvent.EventType:
                var approved = stored.Data<CarePlanApprovedEvent>();
                plan.Status = CarePlanStatus.Approved;
                plan.ReviewedBy = approved.PhysiotherapistId;
                plan.ReviewNote = approved.Note;
                plan.ReviewedAt = at;
                break;
            case CarePlanAmendedEvent.EventType:
                var amended = stored.Data<CarePlanAmendedEvent>();
                var removed = amended.Removed.ToHashSet(StringComparer.Ordinal);
                var kept = plan.Interventions.Where(i => !removed.Contains(i.Code)).ToList();
                plan.Interventions.Clear();
                plan.Interventions.Add(kept);
                plan.Interventions.Add(amended.Added.Select(a => Parser.Parse<PlannedIntervention>(a.GetRawText())));
                plan.ReviewedBy = amended.PhysiotherapistId;
                plan.ReviewNote = amended.Reason;
                plan.ReviewedAt = at;
                break;
            case CarePlanRejectedEvent.EventType:
                var rejected = stored.Data<CarePlanRejectedEvent>();
                plan.Status = CarePlanStatus.Rejected;
                plan.ReviewedBy = rejected.PhysiotherapistId;
                plan.ReviewNote = rejected.Reason;
                plan.ReviewedAt = at;
                break;
            case CarePlanSupersededEvent.EventType:
                var superseded = stored.Data<CarePlanSupersededEvent>();
                plan.Status = CarePlanStatus.Superseded;
                plan.SupersededByCarePlanId = superseded.SupersededByCarePlanId;
                break;
            default:
                return;
        }

        plan.Version = stored.StreamVersion;
    }
}
