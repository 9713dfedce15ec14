namespace SpasmPlatform.EventStore.Integrity;

/// <summary>Where the chain does not hold, and why.</summary>
public sealed record IntegrityBreak(string StreamId, long Version, string Reason);
