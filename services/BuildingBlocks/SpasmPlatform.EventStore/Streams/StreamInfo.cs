namespace SpasmPlatform.EventStore.Streams;

public sealed record StreamInfo(string StreamId, string StreamType, long Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
