namespace SpasmPlatform.EventStore.Outbox;

/// <summary>
/// Turns a message as stored in the outbox into the message to publish, just before the relay publishes it. For
/// messages whose stored form must not hold what travels (e.g. clinical notes stay sealed at rest and are opened for
/// the wire): the row keeps the sealed form after sending. A failure counts as a failed publish and is retried.
/// </summary>
public interface IOutboxMessageOpener
{
    /// <summary>The registered outbox message type this opener applies to.</summary>
    Type MessageType { get; }

    /// <summary>The message to publish, of the same type.</summary>
    Task<object> OpenAsync(object message, CancellationToken cancellationToken);
}
