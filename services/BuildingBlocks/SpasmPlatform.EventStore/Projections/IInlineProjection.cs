using Npgsql;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// A read model updated in the same transaction as the append: it can never lag or disagree with the events.
/// Keep it to cheap statements; it runs inside every append.
/// </summary>
public interface IInlineProjection
{
    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);
}
