namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>No usable knowledge version: the service must not triage (or re-price an override) without its rules.</summary>
internal sealed class KnowledgeUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
