using System.Text.Json;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>
/// A physiotherapist added or removed interventions. Added ones are stored in full (protobuf JSON of
/// PlannedIntervention), so reading the plan back never depends on the knowledge service.
/// </summary>
public sealed record CarePlanAmended(
    string CarePlanId,
    string PhysiotherapistId,
    string Reason,
    IReadOnlyList<JsonElement> Added,
    IReadOnlyList<string> Removed)
{
    public const string EventType = "care_plan.amended";
}
