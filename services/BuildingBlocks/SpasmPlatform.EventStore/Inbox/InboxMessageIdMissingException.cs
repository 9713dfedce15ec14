namespace SpasmPlatform.EventStore.Inbox;

/// <summary>A message arrived without a MessageId, so the inbox cannot tell a redelivery from a new message.</summary>
public sealed class InboxMessageIdMissingException(Type messageType)
    : Exception($"A {messageType.Name} message arrived without a MessageId; an idempotent consumer cannot handle it safely.")
{
    public Type MessageType { get; } = messageType;
}
