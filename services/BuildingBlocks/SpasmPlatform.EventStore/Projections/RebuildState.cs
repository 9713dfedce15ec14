namespace SpasmPlatform.EventStore.Projections;

/// <summary>A row of projection_rebuilds: a request (not yet reset), or a rebuild catching up to <see cref="Target"/>.</summary>
internal sealed record RebuildState(bool IsReset, long Target);
