namespace SpasmPlatform.EventStore.Streams;

/// <summary>Events for one stream, with the version the stream must be at; one of several appends saved together.</summary>
public sealed record StreamAppend(string StreamId, string StreamType, ExpectedVersion Expected, IReadOnlyList<NewEvent> Events);
