namespace SpasmPlatform.Knowledge.Domain;

/// <summary>A version (or rule-set version) is already published with other content: versions are immutable.</summary>
public sealed class KnowledgeConflictException(string message) : Exception(message);
