using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Contracts.IntegrationEvents;

/// <summary>A clinician replaced the engine's urgency; the engine's own decision stays recorded beside it.</summary>
public sealed record TriageOverridden(
    Guid MessageId,
    string CorrelationId,
    string ClinicId,
    string AssessmentId,
    Urgency Urgency,
    Urgency EngineUrgency,
    string ClinicianId,
    string Reason,
    string RuleSetVersion,
    string KnowledgeVersion,
    long AssessmentVersion,
    DateTimeOffset OverriddenAt);
