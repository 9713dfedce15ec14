namespace SpasmPlatform.EventStore.Streams;

/// <summary>An event to append; <see cref="EventId"/> is chosen by the writer so a retried append is recognised.</summary>
public sealed record NewEvent(Guid EventId, string EventType, int SchemaVersion, string DataJson, EventMetadata Metadata);
