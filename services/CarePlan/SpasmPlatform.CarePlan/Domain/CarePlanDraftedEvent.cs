using System.Text.Json;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>
/// A plan was drafted. Carries the whole plan (protobuf JSON) and the submission and triage it was drafted from, so
/// the plan can be read, redrafted after an override or replayed without asking any other service.
/// </summary>
public sealed record CarePlanDraftedEvent(
    string CarePlanId,
    string AssessmentId,
    long AssessmentVersion,
    JsonElement Plan,
    string SubmissionJson,
    string TriageJson,
    string? SupersedesCarePlanId)
{
    public const string EventType = "care_plan.drafted";
}
