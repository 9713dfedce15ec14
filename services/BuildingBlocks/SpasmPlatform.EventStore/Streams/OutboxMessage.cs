namespace SpasmPlatform.EventStore.Streams;

/// <summary>An integration message written in the same transaction as the events that cause it; the relay publishes it.</summary>
public sealed record OutboxMessage(Guid MessageId, string MessageType, string BodyJson, string? StreamId = null, IReadOnlyDictionary<string, string>? Headers = null);
