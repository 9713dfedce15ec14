namespace SpasmPlatform.EventStore.Streams;

/// <summary>A stream's head as Marten keeps it in mt_streams.</summary>
public sealed record StreamInfo(string StreamId, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
