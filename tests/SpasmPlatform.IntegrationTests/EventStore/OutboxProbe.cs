namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>A test integration message: its stream and its place in that stream, to check per-stream order.</summary>
public sealed record OutboxProbe(string StreamId, int Sequence, string Note);
