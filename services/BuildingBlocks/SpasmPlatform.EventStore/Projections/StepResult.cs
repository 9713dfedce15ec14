namespace SpasmPlatform.EventStore.Projections;

/// <summary>The outcome of one look for new events.</summary>
/// <param name="Applied">Events applied and checkpointed by this step.</param>
/// <param name="LookAgainNow">
/// A whole batch was applied (more is probably waiting), a fence was just raised (usually passed at once), or the read
/// model was just reset: waiting a poll interval would only add lag.
/// </param>
/// <param name="WaitingFor">The first missing position the projection stopped at, when it had to stop.</param>
/// <param name="ReadModelReset">This step cleared the read model for a requested rebuild.</param>
/// <param name="RebuildInProgress">A requested rebuild is still under way after this step.</param>
internal readonly record struct StepResult(int Applied, bool LookAgainNow, long? WaitingFor, bool ReadModelReset, bool RebuildInProgress);
