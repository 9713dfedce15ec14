using System.Text.Json;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Outbox;

/// <summary>
/// The integration message types a service may put in its outbox. A row stores the CLR type's full name; the relay
/// resolves it here and publishes the typed object, because MassTransit routes by the type's namespace and name.
/// Writing through <see cref="Create{T}"/> refuses unregistered types, so the relay never meets a row it cannot publish.
/// </summary>
public sealed class IntegrationMessageTypes
{
    private readonly Dictionary<string, Type> _byName = new(StringComparer.Ordinal);

    public IntegrationMessageTypes Register<T>()
        where T : class
    {
        var type = typeof(T);
        if (type.IsAbstract || type.IsInterface || type.ContainsGenericParameters || string.IsNullOrEmpty(type.Namespace))
        {
            // The relay deserializes the stored body into this type, and MassTransit names the exchange after its namespace.
            throw new ArgumentException($"{type} must be a concrete, non-generic class in a namespace to be an outbox message type.");
        }

        _byName[NameOf(type)] = type;
        return this;
    }

    /// <summary>The name stored in outbox.message_type.</summary>
    public static string NameOf(Type type) =>
        type.FullName ?? throw new ArgumentException($"{type} has no full name.", nameof(type));

    public Type? Resolve(string messageType) => _byName.GetValueOrDefault(messageType);

    /// <summary>
    /// An outbox message for <paramref name="message"/>. Give <paramref name="streamId"/> when the message is about a stream:
    /// the relay publishes one stream's messages in the order they were written.
    /// </summary>
    public OutboxMessage Create<T>(T message, string? streamId = null, IReadOnlyDictionary<string, string>? headers = null, Guid? messageId = null)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(message);
        var name = NameOf(typeof(T));
        if (!_byName.ContainsKey(name))
        {
            throw new InvalidOperationException($"{name} is not a registered integration message type; register it in OutboxRelayOptions.MessageTypes.");
        }

        // Version 7 ids grow with time, which keeps the unique index on outbox.message_id append-mostly.
        return new OutboxMessage(messageId ?? Guid.CreateVersion7(), name, JsonSerializer.Serialize(message, EventJson.Options), streamId, headers);
    }

    internal static object Deserialize(string bodyJson, Type type) =>
        JsonSerializer.Deserialize(bodyJson, type, EventJson.Options) ?? throw new JsonException($"The body of a {type} message is null.");
}
