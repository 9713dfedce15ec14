namespace SpasmPlatform.EventStore.Inbox;

/// <summary>
/// How often, and after which pauses, a failing idempotent consumer is retried in-process before MassTransit moves
/// the message to the error queue. One retry per interval.
/// </summary>
public sealed record InboxRetryPolicy(IReadOnlyList<TimeSpan> Intervals)
{
    /// <summary>Covers a database fail-over or a lost optimistic-concurrency race; anything longer is not transient.</summary>
    public static InboxRetryPolicy Default { get; } = new([
        TimeSpan.FromMilliseconds(100),
        TimeSpan.FromMilliseconds(500),
        TimeSpan.FromSeconds(2),
        TimeSpan.FromSeconds(5),
    ]);

    public static InboxRetryPolicy Immediate(int retries) => new(Enumerable.Repeat(TimeSpan.Zero, retries).ToArray());
}
