namespace SpasmPlatform.EventStore.Outbox;

/// <summary>
/// One message of a batch that was not published. <paramref name="Poisoned"/>: it can never be published as it stands
/// (unknown type, unreadable body), as opposed to a broker failure that a later attempt may overcome.
/// </summary>
internal sealed record OutboxPublishFailure(PendingOutboxMessage Message, Exception Error, bool Poisoned);
