using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using SpasmPlatform.EventStore.Serialization;

namespace SpasmPlatform.EventStore.Streams;

/// <summary>An event as read back: data already upcast to the newest schema version its type knows.</summary>
/// <remarks>
/// Events read from the store keep their data and metadata as the UTF-8 bytes PostgreSQL sent: a fold deserializes
/// the data straight from them, and most readers never look at the metadata, so neither is turned into a string or
/// an <see cref="EventMetadata"/> until asked for. Equality and the record members behave as if both were eager.
/// </remarks>
public sealed record StoredEvent
{
    private readonly byte[]? _dataUtf8;
    // The metadata's UTF-8 bytes until first asked for, then the EventMetadata parsed from them. Boxed so that copies
    // made with "with" share one parse and so compare equal, as they did when the metadata was parsed eagerly.
    private readonly StrongBox<object> _metadata;
    private string? _dataJson;

    public StoredEvent(
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
        this.GlobalPosition = GlobalPosition;
        this.StreamId = StreamId;
        this.StreamVersion = StreamVersion;
        this.EventId = EventId;
        this.EventType = EventType;
        this.SchemaVersion = SchemaVersion;
        _dataJson = DataJson;
        _metadata = new StrongBox<object>(Metadata);
        this.RecordedAt = RecordedAt;
    }

    /// <summary>A row as read: <paramref name="dataJson"/> when an upcaster rewrote the data, else its UTF-8 bytes.</summary>
    internal StoredEvent(
        long globalPosition,
        string streamId,
        long streamVersion,
        Guid eventId,
        string eventType,
        int schemaVersion,
        byte[]? dataUtf8,
        string? dataJson,
        byte[] metadataUtf8,
        DateTimeOffset recordedAt)
    {
        GlobalPosition = globalPosition;
        StreamId = streamId;
        StreamVersion = streamVersion;
        EventId = eventId;
        EventType = eventType;
        SchemaVersion = schemaVersion;
        _dataUtf8 = dataJson is null ? dataUtf8 ?? throw new ArgumentNullException(nameof(dataUtf8)) : null;
        _dataJson = dataJson;
        _metadata = new StrongBox<object>(metadataUtf8);
        RecordedAt = recordedAt;
    }

    public long GlobalPosition { get; init; }

    public string StreamId { get; init; }

    public long StreamVersion { get; init; }

    public Guid EventId { get; init; }

    public string EventType { get; init; }

    public int SchemaVersion { get; init; }

    // Racing first reads may both decode; each gets an equal value, so no lock is needed.
    public string DataJson
    {
        get => _dataJson ??= Encoding.UTF8.GetString(_dataUtf8!);
        init
        {
            _dataJson = value;
            _dataUtf8 = null;
        }
    }

    public EventMetadata Metadata
    {
        get
        {
            var current = _metadata.Value!;
            if (current is EventMetadata metadata)
            {
                return metadata;
            }

            var parsed = EventJson.DeserializeMetadata((byte[])current);
            // Whoever parsed first wins, so every reader (and every copy) sees one instance.
            return Interlocked.CompareExchange(ref _metadata.Value!, parsed, current) as EventMetadata ?? parsed;
        }

        init => _metadata = new StrongBox<object>(value);
    }

    public DateTimeOffset RecordedAt { get; init; }

    public T Data<T>(JsonSerializerOptions? options = null)
    {
        var resolved = options ?? EventJson.Options;
        // From the bytes when they are the data: no UTF-16 string on the way.
        var data = _dataUtf8 is { } utf8 && _dataJson is null
            ? JsonSerializer.Deserialize<T>(utf8, resolved)
            : JsonSerializer.Deserialize<T>(DataJson, resolved);
        return data ?? throw new InvalidOperationException($"Event {EventId} ({EventType}) has null data.");
    }

    public void Deconstruct(
        out long GlobalPosition,
        out string StreamId,
        out long StreamVersion,
        out Guid EventId,
        out string EventType,
        out int SchemaVersion,
        out string DataJson,
        out EventMetadata Metadata,
        out DateTimeOffset RecordedAt)
    {
        GlobalPosition = this.GlobalPosition;
        StreamId = this.StreamId;
        StreamVersion = this.StreamVersion;
        EventId = this.EventId;
        EventType = this.EventType;
        SchemaVersion = this.SchemaVersion;
        DataJson = this.DataJson;
        Metadata = this.Metadata;
        RecordedAt = this.RecordedAt;
    }

    // By value over the nine members, as the positional record compared them; the lazy state must not matter.
    public bool Equals(StoredEvent? other) =>
        other is not null
        && GlobalPosition == other.GlobalPosition
        && StreamVersion == other.StreamVersion
        && EventId == other.EventId
        && SchemaVersion == other.SchemaVersion
        && RecordedAt == other.RecordedAt
        && string.Equals(StreamId, other.StreamId, StringComparison.Ordinal)
        && string.Equals(EventType, other.EventType, StringComparison.Ordinal)
        && string.Equals(DataJson, other.DataJson, StringComparison.Ordinal)
        && EqualityComparer<EventMetadata>.Default.Equals(Metadata, other.Metadata);

    public override int GetHashCode() =>
        HashCode.Combine(GlobalPosition, StreamId, StreamVersion, EventId, EventType, SchemaVersion, DataJson, RecordedAt);
}
