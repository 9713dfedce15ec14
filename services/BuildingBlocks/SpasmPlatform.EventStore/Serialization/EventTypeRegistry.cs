using System.Text.Json;

namespace SpasmPlatform.EventStore.Serialization;

/// <summary>
/// The stored name of every event type (Marten's <c>MapEventType</c>), kept explicit so that renaming a class never
/// renames stored events, and the upcasts that read an old stored name as today's type. Marten applies both; this
/// registry only collects them so each service declares its events in one place.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<Type, string> _byType = [];
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);
    private readonly List<UpcastRule> _upcasts = [];

    public EventTypeRegistry Register<T>(string name) => Register(typeof(T), name);

    public EventTypeRegistry Register(Type type, string name)
    {
        if (name.Length == 0 || name.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("Event type names are non-empty and hold no line breaks.", nameof(name));
        }

        if (_byName.TryGetValue(name, out var existing) && existing != type)
        {
            throw new ArgumentException($"Event type name '{name}' is already used by {existing.Name}.", nameof(name));
        }

        _byType[type] = name;
        _byName[name] = type;
        return this;
    }

    /// <summary>
    /// Events stored under <paramref name="oldName"/> (an older shape) are read as <typeparamref name="TNew"/>. Stored rows
    /// never change; the hash chain keeps covering what was written.
    /// </summary>
    public EventTypeRegistry Upcast<TNew>(string oldName, Func<JsonDocument, TNew> upcast)
        where TNew : class
    {
        if (_byName.ContainsKey(oldName))
        {
            throw new ArgumentException($"'{oldName}' is a current event type name; an upcast reads a retired one.", nameof(oldName));
        }

        _upcasts.Add(new UpcastRule(oldName, typeof(TNew), document => upcast(document)));
        return this;
    }

    public string NameOf(Type type) =>
        _byType.TryGetValue(type, out var name) ? name : throw new InvalidOperationException($"Event type {type.Name} is not registered.");

    public Type? TypeOf(string name) => _byName.GetValueOrDefault(name);

    internal IEnumerable<KeyValuePair<Type, string>> Types => _byType;

    internal IReadOnlyList<UpcastRule> Upcasts => _upcasts;

    internal sealed record UpcastRule(string OldName, Type NewType, Func<JsonDocument, object> Transform);
}
