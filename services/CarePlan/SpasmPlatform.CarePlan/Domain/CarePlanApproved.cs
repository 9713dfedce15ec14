namespace SpasmPlatform.CarePlan.Domain;

/// <summary>A physiotherapist approved the plan as it stands.</summary>
public sealed record CarePlanApproved(string CarePlanId, string PhysiotherapistId, string Note)
{
    public const string EventType = "care_plan.approved";
}
