namespace SpasmPlatform.Audit;

/// <summary>Nothing to audit under that id in this service's store: NOT_FOUND at the edge.</summary>
public sealed class AuditNotFoundException(string message) : Exception(message);
