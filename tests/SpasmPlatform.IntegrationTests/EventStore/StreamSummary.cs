namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>A row of the example read model: what the projection knows about one stream.</summary>
public sealed record StreamSummary(string StreamId, long EventCount, long TotalScore, long LastVersion, long LastSequence);
