namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>An outbox row as the tests inspect it.</summary>
public sealed record OutboxRowState(long Id, Guid MessageId, string? StreamId, string MessageType, DateTimeOffset? SentAt, int Attempts, string? LastError);
