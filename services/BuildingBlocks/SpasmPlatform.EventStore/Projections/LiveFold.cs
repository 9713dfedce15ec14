using JasperFx.Events;
using Marten.Events.Aggregation;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// Marten's live aggregation of a stream into <typeparamref name="TState"/> for FetchForWriting, by the service's own
/// evolve: Marten reads the events (upcast, with their metadata and time) and hands each over as the
/// <see cref="StoredEvent"/> the service's fold already takes, so the state written against is the state a replay of
/// the stream gives. Evolve is overridden because the fold takes every event, whatever its type: Marten's
/// conventional Apply methods are found by event type and would never be called for one taking all events.
/// </summary>
internal sealed class LiveFold<TState>(Func<TState?, StoredEvent, TState?> evolve, EventTypeNames names) : SingleStreamProjection<LiveAggregate<TState>, string>
    where TState : class
{
    public override LiveAggregate<TState>? Evolve(LiveAggregate<TState>? snapshot, string id, IEvent e)
    {
        // As the fold: null in, null out, and the next event starts from null again.
        var next = evolve(snapshot?.State, MartenEvents.ToStored(e, names));
        if (next is null)
        {
            return null;
        }

        snapshot ??= new LiveAggregate<TState> { Id = id };
        snapshot.State = next;
        return snapshot;
    }
}
