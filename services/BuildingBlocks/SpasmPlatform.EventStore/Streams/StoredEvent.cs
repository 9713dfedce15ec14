using System.Text.Json;

namespace SpasmPlatform.EventStore.Streams;

/// <summary>An event as read back: data already upcast to the newest schema version its type knows.</summary>
public sealed record StoredEvent(
    long GlobalPosition,
    string StreamId,
    long StreamVersion,
    Guid EventId,
    string EventType,
    int SchemaVersion,
    string DataJson,
    EventMetadata Metadata,
    DateTimeOffset RecordedAt)
{
    public T Data<T>(JsonSerializerOptions? options = null) =>
        JsonSerializer.Deserialize<T>(DataJson, options ?? Serialization.EventJson.Options)
        ?? throw new InvalidOperationException($"Event {EventId} ({EventType}) has null data.");
}
