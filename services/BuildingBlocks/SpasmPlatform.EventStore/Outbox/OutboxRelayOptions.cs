namespace SpasmPlatform.EventStore.Outbox;

public sealed class OutboxRelayOptions
{
    /// <summary>The types the relay can publish; rows of any other type are held back (see <see cref="OutboxRelay"/>).</summary>
    public IntegrationMessageTypes MessageTypes { get; } = new();

    /// <summary>Rows read and published per transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Streams published at the same time within a batch.</summary>
    public int MaxConcurrentStreams { get; set; } = 32;

    /// <summary>
    /// Messages of one stream handed to the broker before the first of them is confirmed. They go out in order on the
    /// bus's channel, and only a confirmed prefix is marked sent, so nothing is skipped. The price of more than 1: when a
    /// publish fails (the broker drops the channel) while a later message of the same stream was still waiting for a new
    /// channel, that later message can reach consumers before the failed one is published again (the inbox then drops
    /// the later copy). 1 restores strictly one confirmed message at a time per stream, at one broker round trip each.
    /// The default is 1: per-stream order is a guarantee consumers rely on (an override must never arrive before the
    /// triage it overrides), and a relay of many streams is still parallel across streams. Raise it only for streams
    /// whose consumers tolerate reordering.
    /// </summary>
    public int MaxInFlightPerStream { get; set; } = 1;

    /// <summary>How long one publish may wait for the broker's confirm before it counts as failed.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The relay wakes on NOTIFY from the outbox table; polling only covers notifications missed while its listening
    /// connection was being re-established, and rows a stand-by relay must take over.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>First back-off after a failed batch; it grows exponentially (with jitter) up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentStreams, 1, nameof(MaxConcurrentStreams));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlightPerStream, 1, nameof(MaxInFlightPerStream));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PublishTimeout, TimeSpan.Zero, nameof(PublishTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryDelay, RetryDelay, nameof(MaxRetryDelay));
    }
}
