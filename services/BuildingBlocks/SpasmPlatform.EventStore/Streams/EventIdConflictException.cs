namespace SpasmPlatform.EventStore.Streams;

/// <summary>Some event ids of an append are stored and others are not, or they belong to another stream: not a plain retry.</summary>
public sealed class EventIdConflictException(string streamId, string message) : Exception(message)
{
    public string StreamId { get; } = streamId;
}
