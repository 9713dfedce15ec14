namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// What Marten aggregates a stream into for <see cref="LiveFold{TState}"/>: the service's state under the stream's
/// key. Marten's aggregates need an id member even when live (and set it, and a member named Version, themselves),
/// which a service's state has no business holding; here Marten finds the key it wants and leaves the state as the
/// fold made it.
/// </summary>
internal sealed class LiveAggregate<TState>
    where TState : class
{
    public string Id { get; set; } = string.Empty;

    public TState? State { get; set; }
}
