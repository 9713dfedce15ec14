namespace SpasmPlatform.Audit;

/// <summary>A time-travel point outside the stream's life (before its first event, past its last version): OUT_OF_RANGE at the edge.</summary>
public sealed class AuditRangeException(string message) : Exception(message);
