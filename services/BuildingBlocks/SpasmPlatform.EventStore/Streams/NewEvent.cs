namespace SpasmPlatform.EventStore.Streams;

/// <summary>
/// An event to append. <see cref="EventId"/> is chosen by the writer so a retried append is recognised. The data is
/// an instance of the type registered under <see cref="EventType"/>; Marten serializes it.
/// </summary>
public sealed record NewEvent(Guid EventId, string EventType, object Data, EventMetadata Metadata);
