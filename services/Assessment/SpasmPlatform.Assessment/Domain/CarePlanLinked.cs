namespace SpasmPlatform.Assessment.Domain;

/// <summary>The care-plan service drafted a plan for this assessment.</summary>
public sealed record CarePlanLinked(string AssessmentId, string CarePlanId, string Status, DateTimeOffset DraftedAt)
{
    public const string EventType = "assessment.care_plan_linked";
}
