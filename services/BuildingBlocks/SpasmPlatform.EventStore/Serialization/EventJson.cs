using System.Text.Json;
using System.Text.Json.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Serialization;

/// <summary>The one JSON shape of event data and metadata: snake_case, enums as strings, nulls omitted.</summary>
public static class EventJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static string SerializeMetadata(EventMetadata metadata) => JsonSerializer.Serialize(metadata, Options);

    public static EventMetadata DeserializeMetadata(string json) =>
        JsonSerializer.Deserialize<EventMetadata>(json, Options) ?? new EventMetadata();

    internal static EventMetadata DeserializeMetadata(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize<EventMetadata>(utf8Json, Options) ?? new EventMetadata();

    /// <summary>An event of a registered CLR type, named and versioned by the registry.</summary>
    public static NewEvent ToNewEvent<T>(EventTypeRegistry registry, T data, EventMetadata metadata, Guid? eventId = null)
        where T : notnull
    {
        var (name, version) = registry.NameOf(typeof(T));
        return new NewEvent(eventId ?? Guid.NewGuid(), name, version, Serialize(data), metadata);
    }
}
