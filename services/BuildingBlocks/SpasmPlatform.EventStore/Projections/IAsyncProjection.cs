using Npgsql;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// A read model that follows the store behind the append, fed by the <see cref="ProjectionDaemon"/> in global order.
/// Each batch is applied in the daemon's transaction together with the projection's checkpoint, so a batch either
/// takes effect exactly once or not at all; implementations must therefore write only through the given transaction.
/// </summary>
public interface IAsyncProjection
{
    /// <summary>Stable identity of the checkpoint and of the single-runner lock; renaming it means a rebuild.</summary>
    string Name { get; }

    /// <summary>Applies events that directly follow the previous batch (gaps are only positions no event will ever take).</summary>
    Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);

    /// <summary>Clears the read model before a rebuild; runs in the transaction that moves the checkpoint back to 0.</summary>
    Task ResetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);
}
