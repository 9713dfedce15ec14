using System.Text.Json;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// The submission as received (protobuf JSON of SubmitAssessmentRequest), first event of every assessment stream.
/// Its clinical notes are never in <paramref name="Submission"/>: they are in <paramref name="SealedClinicalNotes"/>,
/// sealed with the patient's key (see SpasmPlatform.Privacy), so the hash chain covers ciphertext and an erasure
/// (destroying the key) leaves the chain intact. Null when there were no notes.
/// </summary>
public sealed record AssessmentSubmitted(
    string AssessmentId,
    string ClinicId,
    string RequestId,
    DateTimeOffset SubmittedAt,
    JsonElement Submission,
    string? SealedClinicalNotes = null)
{
    public const string EventType = "assessment.submitted";
}
