using System.Text.Json;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>
/// A plan was drafted. Carries the whole plan (protobuf JSON) and the submission and triage it was drafted from, so
/// the plan can be read, redrafted after an override or replayed without asking any other service. The submission's
/// clinical notes are never in <paramref name="SubmissionJson"/>: <paramref name="SealedClinicalNotes"/> holds them
/// sealed with this service's key for the patient (null: none), so an erasure leaves the event, and the chain, as is.
/// </summary>
public sealed record CarePlanDrafted(
    string CarePlanId,
    string AssessmentId,
    long AssessmentVersion,
    JsonElement Plan,
    string SubmissionJson,
    string TriageJson,
    string? SupersedesCarePlanId,
    string? SealedClinicalNotes = null)
{
    public const string EventType = "care_plan.drafted";
}
