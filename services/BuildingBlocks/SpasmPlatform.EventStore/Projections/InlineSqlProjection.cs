using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// Marten's inline projection for a read model kept in plain SQL tables (keyset-paged listings need their own
/// indexes and columns, which documents would hide in jsonb). Marten calls it while saving a session, before its own
/// batch runs, on the connection the session holds; our sessions ride on a transaction of ours, so the read model's
/// statements commit or roll back with the events.
/// </summary>
internal sealed class InlineSqlProjection(IInlineProjection inner, EventTypeNames names) : IProjection
{
    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var connection = operations.Connection
            ?? throw new InvalidOperationException("An inline SQL projection needs a session with an open connection.");
        var stored = new StoredEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            stored[i] = MartenEvents.ToStored(events[i], names);
        }

        await inner.ApplyAsync(connection, stored, cancellation).ConfigureAwait(false);
    }
}
