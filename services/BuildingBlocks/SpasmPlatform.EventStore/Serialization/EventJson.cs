using System.Text.Json;
using System.Text.Json.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Serialization;

/// <summary>
/// The one JSON shape of event data: snake_case, enums as snake_case strings, nulls omitted. Marten stores events with
/// these options (see MartenSetup), and audit exports show data in the same shape.
/// </summary>
public static class EventJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the event shape to a serializer's options (Marten's included).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Insert(0, new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static string Serialize(object value, Type type) => JsonSerializer.Serialize(value, type, Options);

    /// <summary>An event of a registered CLR type, named by the registry.</summary>
    public static NewEvent ToNewEvent<T>(EventTypeRegistry registry, T data, EventMetadata metadata, Guid? eventId = null)
        where T : notnull =>
        new(eventId ?? Guid.CreateVersion7(), registry.NameOf(typeof(T)), data, metadata);
}
