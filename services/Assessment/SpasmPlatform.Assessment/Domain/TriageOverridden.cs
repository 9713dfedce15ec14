using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// A clinician replaced the current urgency. The SLA and disposition of the new urgency are resolved from the pinned
/// rule set when the override is made and stored here, so projecting the event never needs the knowledge service.
/// </summary>
public sealed record TriageOverridden(
    string AssessmentId,
    Urgency Urgency,
    Urgency PreviousUrgency,
    int ActWithinMinutes,
    string Disposition,
    string ClinicianId,
    string Reason,
    DateTimeOffset At)
{
    public const string EventType = "assessment.triage_overridden";
}
