namespace SpasmPlatform.EventStore.Projections;

public sealed class ProjectionDaemonOptions
{
    /// <summary>
    /// How long a caught-up projection waits before looking for new events, and how often a standby instance tries
    /// to take over. The lag of a quiet projection is at most about this long.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Events per transaction: larger batches catch up faster, smaller ones hold locks in the read model for less time.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>The pause after a failed batch before the projection is retried from its stored checkpoint.</summary>
    public TimeSpan ErrorBackoff { get; set; } = TimeSpan.FromSeconds(2);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(ErrorBackoff, TimeSpan.Zero, nameof(ErrorBackoff));
    }
}
