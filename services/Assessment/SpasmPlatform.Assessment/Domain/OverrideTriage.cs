using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// A clinician replaces the current urgency of the assessment as it stands at <paramref name="ExpectedVersion"/>,
/// saying why. <paramref name="At"/> is when the override is made, from the caller's clock.
/// </summary>
public sealed record OverrideTriage(
    string AssessmentId,
    long ExpectedVersion,
    Urgency Urgency,
    string ClinicianId,
    string Reason,
    DateTimeOffset At);
