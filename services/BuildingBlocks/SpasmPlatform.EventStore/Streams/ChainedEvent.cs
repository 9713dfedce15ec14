namespace SpasmPlatform.EventStore.Streams;

/// <summary>An event with its links in the hash chain, as stored: what an auditor needs to check it independently.</summary>
public sealed record ChainedEvent(StoredEvent Event, byte[] Hash, byte[]? PreviousHash);
