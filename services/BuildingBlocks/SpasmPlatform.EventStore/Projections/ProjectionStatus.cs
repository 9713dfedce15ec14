namespace SpasmPlatform.EventStore.Projections;

/// <summary>What one projection of this daemon is doing, for health checks and diagnostics.</summary>
/// <param name="IsRunning">True while this process holds the projection's lock (it is the one instance applying events).</param>
/// <param name="Checkpoint">The last global position applied, as committed with the read model.</param>
/// <param name="WaitingFor">
/// The first missing position the projection is waiting on: a transaction that may still commit holds it. Null when not blocked.
/// </param>
/// <param name="Polls">Completed look-ups for new events while running, for observers that need to know time has passed.</param>
/// <param name="LastError">The last failure of a batch, cleared by the next successful one.</param>
public sealed record ProjectionStatus(string Name, bool IsRunning, long Checkpoint, long? WaitingFor, long Polls, string? LastError);
