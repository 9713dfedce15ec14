namespace SpasmPlatform.Contracts.Calling;

/// <summary>
/// No usable knowledge version from the knowledge service: a caller must not triage, re-price an override or replay
/// without its rules. UNAVAILABLE at the edge: the caller may retry once the knowledge service answers.
/// </summary>
public sealed class KnowledgeUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
