using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Contracts.IntegrationEvents;

/// <summary>
/// The engine triaged an assessment. Carries the submission and the triage in the protobuf JSON mapping of
/// spasm.assessment.v1 (SubmitAssessmentRequest, Triage) so a consumer such as the care-plan service can draft from
/// exactly what was decided, pinned to the versions named here.
/// </summary>
/// <param name="SubmissionJson">
/// On the wire, the submission with its clinical notes in clear (empty when they were erased before sending). While
/// the message waits in the sender's outbox, without them: they are in <paramref name="SealedClinicalNotes"/>.
/// </param>
/// <param name="SealedClinicalNotes">Only at rest in the sender's outbox: the notes sealed with its patient key. Always empty on the wire.</param>
/// <param name="ClinicalNotesGeneration">
/// The sender's key generation of the patient's notes: an erasure covers the generations up to its
/// <see cref="ClinicalNotesErased.ThroughGeneration"/>, and a receiver keeps its own keys per generation to match.
/// </param>
/// <param name="ClinicalNotesErased">The notes were erased before the message was sent, so it carries none.</param>
public sealed record TriageDecided(
    Guid MessageId,
    string CorrelationId,
    string ClinicId,
    string AssessmentId,
    string PatientRef,
    Urgency Urgency,
    string RuleSetVersion,
    string KnowledgeVersion,
    long AssessmentVersion,
    DateTimeOffset DecidedAt,
    string SubmissionJson,
    string TriageJson,
    string SealedClinicalNotes = "",
    int ClinicalNotesGeneration = 0,
    bool ClinicalNotesErased = false);
