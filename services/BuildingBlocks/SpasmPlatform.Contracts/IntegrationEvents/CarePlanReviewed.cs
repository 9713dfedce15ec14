namespace SpasmPlatform.Contracts.IntegrationEvents;

/// <summary>A physiotherapist approved, amended or rejected a care plan.</summary>
public sealed record CarePlanReviewed(
    Guid MessageId,
    string CorrelationId,
    string ClinicId,
    string CarePlanId,
    string AssessmentId,
    string Status,
    string ReviewedBy,
    string Note,
    string RuleSetVersion,
    string KnowledgeVersion,
    DateTimeOffset ReviewedAt);
