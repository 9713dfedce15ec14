using System.Text.Json;
using SpasmPlatform.Knowledge.Loading;

namespace SpasmPlatform.Knowledge.Domain;

/// <summary>
/// The event that stores one knowledge version for good: the loaded knowledge base (protobuf JSON, so a replay
/// years later reads exactly what decided) and the files it was loaded from (what the reviewers approved).
/// </summary>
public sealed record KnowledgeVersionPublished(
    string Version,
    string ContentHash,
    string RuleSetVersion,
    string RuleSetHash,
    string PublishedBy,
    string Description,
    JsonElement KnowledgeBase,
    IReadOnlyList<ContentFileText> Files)
{
    public const string EventType = "knowledge.version_published";
}
