namespace SpasmPlatform.EventStore.Outbox;

/// <summary>
/// Some messages of a batch could not be published (the broker refused, was unreachable or did not confirm in time).
/// They stay unsent with their attempt counted and the error stored; the relay backs off and tries again.
/// </summary>
public sealed class OutboxPublishException(int failed, int published, Exception firstError)
    : Exception($"{failed} outbox message(s) could not be published ({published} were); they stay unsent and will be retried. First error: {firstError.Message}", firstError)
{
    public int Failed { get; } = failed;

    public int Published { get; } = published;
}
