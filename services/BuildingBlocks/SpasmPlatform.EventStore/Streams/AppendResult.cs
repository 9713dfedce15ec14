namespace SpasmPlatform.EventStore.Streams;

/// <param name="Duplicate">True when every event id was already stored: nothing was written this time.</param>
public sealed record AppendResult(long NewVersion, IReadOnlyList<long> Positions, bool Duplicate, DateTimeOffset RecordedAt);
