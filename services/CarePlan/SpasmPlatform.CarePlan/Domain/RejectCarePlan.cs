namespace SpasmPlatform.CarePlan.Domain;

/// <summary>A physiotherapist rejects the plan as it stands at <paramref name="ExpectedVersion"/>, saying why.</summary>
public sealed record RejectCarePlan(string CarePlanId, long ExpectedVersion, string PhysiotherapistId, string Reason);
