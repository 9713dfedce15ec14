using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Contracts.IntegrationEvents;

/// <summary>The care-plan service drafted a plan for an assessment; the assessment service links it.</summary>
public sealed record CarePlanDrafted(
    Guid MessageId,
    string CorrelationId,
    string ClinicId,
    string CarePlanId,
    string AssessmentId,
    string Status,
    Urgency Urgency,
    string RuleSetVersion,
    string KnowledgeVersion,
    DateTimeOffset DraftedAt);
