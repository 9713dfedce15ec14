using System.Text.Json;
using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// The engine's decision (protobuf JSON of Triage, with every decision step) and the versions it was made with,
/// so a replay can run the same rules again.
/// </summary>
public sealed record TriageDecided(
    string AssessmentId,
    Urgency Urgency,
    string RuleSetVersion,
    string KnowledgeVersion,
    string KnowledgeContentHash,
    JsonElement Triage)
{
    public const string EventType = "assessment.triage_decided";
}
