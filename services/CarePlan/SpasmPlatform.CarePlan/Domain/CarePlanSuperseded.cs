namespace SpasmPlatform.CarePlan.Domain;

/// <summary>The triage was overridden and the plan redrafted; this one stays in history, marked superseded.</summary>
public sealed record CarePlanSuperseded(string CarePlanId, string SupersededByCarePlanId, string Reason)
{
    public const string EventType = "care_plan.superseded";
}
