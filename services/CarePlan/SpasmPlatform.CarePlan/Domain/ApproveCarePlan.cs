namespace SpasmPlatform.CarePlan.Domain;

/// <summary>A physiotherapist approves the plan as it stands at <paramref name="ExpectedVersion"/>; the note is optional.</summary>
public sealed record ApproveCarePlan(string CarePlanId, long ExpectedVersion, string PhysiotherapistId, string Note);
