namespace SpasmPlatform.Privacy;

/// <summary>Sealed notes with the record they belong to: what opening them needs (the key and the associated data).</summary>
public sealed record SealedNotesRef(string ClinicId, string PatientRef, string AssessmentId, string? Sealed);
