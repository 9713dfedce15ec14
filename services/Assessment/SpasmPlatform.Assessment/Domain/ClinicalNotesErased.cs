namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// A data controller had a patient's clinical notes erased: who, why, which key generations were destroyed and which
/// assessments' notes that made unreadable. Never any note content. When is the event's own recorded time.
/// </summary>
public sealed record ClinicalNotesErased(
    string ClinicId,
    string PatientRef,
    string RequestedBy,
    string Reason,
    IReadOnlyList<int> DestroyedKeyGenerations,
    int ThroughGeneration,
    IReadOnlyList<string> AssessmentIds)
{
    /// <summary>Frozen: older than the convention (it would be "patient_erasure.clinical_notes_erased"); see docs/event-store.md.</summary>
    public const string EventType = "privacy.clinical_notes_erased";
}
