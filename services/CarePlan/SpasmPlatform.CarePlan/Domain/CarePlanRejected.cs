namespace SpasmPlatform.CarePlan.Domain;

/// <summary>A physiotherapist rejected the plan; the reason is required.</summary>
public sealed record CarePlanRejected(string CarePlanId, string PhysiotherapistId, string Reason)
{
    public const string EventType = "care_plan.rejected";
}
