namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>A test message for idempotent consumers: its effect is one event appended to <see cref="StreamId"/>.</summary>
public sealed record InboxProbe(string StreamId, string Note);
