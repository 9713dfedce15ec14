using JasperFx.Events.Projections;
using Marten;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

public sealed class EventStoreOptions
{
    /// <summary>The PostgreSQL schema this service owns ("assessment", "careplan", ...): Marten's tables and ours.</summary>
    public string Schema { get; set; } = "events";

    public EventTypeRegistry Types { get; } = new();

    /// <summary>Read models written in the append's transaction (Marten inline projections over our SQL tables).</summary>
    public IList<IInlineProjection> InlineProjections { get; } = [];

    /// <summary>
    /// Idempotent DDL of the tables a service keeps beside its events (its read models, the patient key store), run at
    /// every start-up with the store's own schema, under the same lock, before the service reports ready.
    /// </summary>
    public IList<string> Tables { get; } = [];

    /// <summary>Anything else a service asks of Marten: asynchronous projections, documents, indexes.</summary>
    public IList<Action<StoreOptions>> Marten { get; } = [];

    /// <summary>The states registered with <see cref="Aggregate{TState}"/>, added to Marten's options with the store's event names.</summary>
    internal IList<Action<StoreOptions, EventTypeNames>> LiveAggregates { get; } = [];

    /// <summary>
    /// Lets <see cref="EventStoreSession.FetchForWritingAsync{TState}"/> fold a stream into <typeparamref name="TState"/>
    /// with <paramref name="evolve"/> (the service's own fold, so the decision and a replay see the same state). Marten
    /// aggregates live: from the events at every fetch, stored nowhere, so nothing needs rebuilding.
    /// </summary>
    public EventStoreOptions Aggregate<TState>(Func<TState?, StoredEvent, TState?> evolve)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(evolve);
        LiveAggregates.Add((marten, names) => marten.Projections.Add(new LiveFold<TState>(evolve, names), ProjectionLifecycle.Live));
        return this;
    }

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Schema) || !Schema.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') || char.IsDigit(Schema[0]))
        {
            // Interpolated into DDL, so only plain lower-case identifiers are accepted.
            throw new ArgumentException($"Schema name '{Schema}' must be a lower-case identifier (a-z, 0-9, _).");
        }

        if (!Types.Types.Any())
        {
            // Marten creates its event tables only for a store that declares events.
            throw new ArgumentException($"The event store of schema '{Schema}' registers no event types.");
        }
    }
}
