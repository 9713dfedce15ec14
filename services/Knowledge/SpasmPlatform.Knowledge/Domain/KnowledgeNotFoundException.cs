namespace SpasmPlatform.Knowledge.Domain;

/// <summary>No published knowledge (or rule set) has the requested version.</summary>
public sealed class KnowledgeNotFoundException(string message) : Exception(message);
