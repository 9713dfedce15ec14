using Npgsql;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// A read model in a table of its own, updated in the same transaction as the append: it can never lag or disagree
/// with the events. Marten runs it as an inline projection (see <see cref="InlineSqlProjection"/>) on the session's
/// connection. Keep it to cheap statements; it runs inside every append.
/// </summary>
public interface IInlineProjection
{
    /// <remarks>
    /// The events carry their stream versions, ids, metadata and times; their <see cref="StoredEvent.GlobalPosition"/>
    /// is 0, since Marten assigns sequences as the batch executes.
    /// </remarks>
    Task ApplyAsync(NpgsqlConnection connection, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);
}
