using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Contracts.IntegrationEvents;

/// <summary>
/// The engine triaged an assessment. Carries the submission and the triage in the protobuf JSON mapping of
/// spasm.assessment.v1 (SubmitAssessmentRequest, Triage) so a consumer such as the care-plan service can draft from
/// exactly what was decided, pinned to the versions named here.
/// </summary>
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
    string TriageJson);
