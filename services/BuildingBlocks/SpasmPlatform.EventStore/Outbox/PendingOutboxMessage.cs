namespace SpasmPlatform.EventStore.Outbox;

/// <summary>An unsent outbox row as the relay reads it.</summary>
internal sealed record PendingOutboxMessage(long Id, Guid MessageId, string? StreamId, string MessageType, string BodyJson, string HeadersJson, DateTimeOffset CreatedAt);
