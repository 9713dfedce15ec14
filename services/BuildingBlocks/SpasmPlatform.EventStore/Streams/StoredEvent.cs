using System.Text.Json;
using SpasmPlatform.EventStore.Serialization;

namespace SpasmPlatform.EventStore.Streams;

/// <summary>
/// An event as read back through Marten: its data is the object Marten deserialized (upcast to today's type where an
/// old name was stored). <see cref="DataJson"/> is that object in the event JSON shape, made when first asked for.
/// </summary>
public sealed record StoredEvent
{
    private string? _dataJson;

    public StoredEvent(
        long GlobalPosition,
        string StreamId,
        long StreamVersion,
        Guid EventId,
        string EventType,
        object EventData,
        EventMetadata Metadata,
        DateTimeOffset RecordedAt)
    {
        this.GlobalPosition = GlobalPosition;
        this.StreamId = StreamId;
        this.StreamVersion = StreamVersion;
        this.EventId = EventId;
        this.EventType = EventType;
        this.EventData = EventData;
        this.Metadata = Metadata;
        this.RecordedAt = RecordedAt;
    }

    /// <summary>Marten's sequence: the event's place in the global order of this service's store.</summary>
    public long GlobalPosition { get; init; }

    public string StreamId { get; init; }

    public long StreamVersion { get; init; }

    public Guid EventId { get; init; }

    public string EventType { get; init; }

    /// <summary>The data as Marten deserialized it: an instance of the registered type.</summary>
    public object EventData { get; init; }

    public EventMetadata Metadata { get; init; }

    public DateTimeOffset RecordedAt { get; init; }

    // Racing first reads may both serialize; each gets an equal string, so no lock is needed.
    public string DataJson => _dataJson ??= EventJson.Serialize(EventData, EventData.GetType());

    public T Data<T>() =>
        EventData is T typed ? typed : JsonSerializer.Deserialize<T>(DataJson, EventJson.Options)
            ?? throw new InvalidOperationException($"Event {EventId} ({EventType}) has null data.");

    // By value over the members, with the data compared in its JSON shape (records holding JsonElements do not compare).
    public bool Equals(StoredEvent? other) =>
        other is not null
        && GlobalPosition == other.GlobalPosition
        && StreamVersion == other.StreamVersion
        && EventId == other.EventId
        && RecordedAt == other.RecordedAt
        && string.Equals(StreamId, other.StreamId, StringComparison.Ordinal)
        && string.Equals(EventType, other.EventType, StringComparison.Ordinal)
        && string.Equals(DataJson, other.DataJson, StringComparison.Ordinal)
        && Metadata.Equals(other.Metadata);

    public override int GetHashCode() => HashCode.Combine(GlobalPosition, StreamId, StreamVersion, EventId, EventType, RecordedAt);
}
