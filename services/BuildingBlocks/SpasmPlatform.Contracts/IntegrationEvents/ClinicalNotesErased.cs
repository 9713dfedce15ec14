namespace SpasmPlatform.Contracts.IntegrationEvents;

/// <summary>
/// The clinic's data controller had a patient's clinical notes erased: every service that keeps a copy destroys its
/// keys for that patient up to <paramref name="ThroughGeneration"/> (the sender's key generations; see
/// <see cref="TriageDecided.ClinicalNotesGeneration"/>). Carries who asked and why, never any note.
/// </summary>
public sealed record ClinicalNotesErased(
    Guid MessageId,
    string CorrelationId,
    string ClinicId,
    string PatientRef,
    int ThroughGeneration,
    string RequestedBy,
    string Reason,
    DateTimeOffset ErasedAt);
