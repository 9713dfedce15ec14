using System.Text.Json.Nodes;

namespace SpasmPlatform.EventStore.Serialization;

/// <summary>
/// Maps event CLR types to stored names and schema versions, and holds the upcasters that bring old event data
/// up to the current schema when it is read. Upcasters are pure functions of the JSON; stored rows never change.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<Type, (string Name, int Version)> _byType = [];
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, int FromVersion), Func<JsonObject, JsonObject>> _upcasters = [];

    public EventTypeRegistry Register<T>(string name, int schemaVersion = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(schemaVersion, 1);
        if (name.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("Event type names cannot hold line breaks.", nameof(name));
        }

        _byType[typeof(T)] = (name, schemaVersion);
        _byName[name] = typeof(T);
        return this;
    }

    /// <summary>Turns data of <paramref name="name"/> at <paramref name="fromVersion"/> into data at fromVersion + 1.</summary>
    public EventTypeRegistry AddUpcaster(string name, int fromVersion, Func<JsonObject, JsonObject> upcast)
    {
        _upcasters[(name, fromVersion)] = upcast;
        return this;
    }

    public (string Name, int Version) NameOf(Type type) =>
        _byType.TryGetValue(type, out var entry) ? entry : throw new InvalidOperationException($"Event type {type.Name} is not registered.");

    public Type? TypeOf(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Whether <see cref="Upcast"/> would change data of this type and version: if not, readers keep the bytes.</summary>
    internal bool HasUpcaster(string eventType, int schemaVersion) =>
        _upcasters.Count > 0 && _upcasters.ContainsKey((eventType, schemaVersion));

    /// <summary>Applies upcasters in sequence until none applies; returns the data unchanged when none does.</summary>
    public (string DataJson, int SchemaVersion) Upcast(string eventType, int schemaVersion, string dataJson)
    {
        if (!_upcasters.ContainsKey((eventType, schemaVersion)))
        {
            return (dataJson, schemaVersion);
        }

        var node = JsonNode.Parse(dataJson) as JsonObject ?? throw new InvalidOperationException($"Data of {eventType} is not a JSON object.");
        while (_upcasters.TryGetValue((eventType, schemaVersion), out var upcast))
        {
            node = upcast(node);
            schemaVersion++;
        }

        return (node.ToJsonString(), schemaVersion);
    }
}
