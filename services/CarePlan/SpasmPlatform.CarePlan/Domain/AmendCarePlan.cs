namespace SpasmPlatform.CarePlan.Domain;

/// <summary>
/// A physiotherapist adds interventions of the plan's knowledge version and removes planned ones, saying why. The
/// codes keep the order of the request: a refusal names each bad one by its index.
/// </summary>
public sealed record AmendCarePlan(
    string CarePlanId,
    long ExpectedVersion,
    string PhysiotherapistId,
    string Reason,
    IReadOnlyList<string> AddInterventionCodes,
    IReadOnlyList<string> RemoveInterventionCodes);
