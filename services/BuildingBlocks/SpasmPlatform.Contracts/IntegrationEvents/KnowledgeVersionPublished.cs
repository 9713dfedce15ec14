namespace SpasmPlatform.Contracts.IntegrationEvents;

/// <summary>
/// A knowledge version (with its rule set) was stored and may be used for new decisions. Decisions already made
/// stay pinned to the versions they name; consumers fetch the content by version from the knowledge service.
/// </summary>
public sealed record KnowledgeVersionPublished(
    Guid MessageId,
    string CorrelationId,
    string KnowledgeVersion,
    string ContentHash,
    string RuleSetVersion,
    string RuleSetHash,
    DateTimeOffset PublishedAt,
    string PublishedBy);
