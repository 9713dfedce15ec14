using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

/// <summary>The narrow interface services use, over Marten's event store (see MartenEventStore).</summary>
public interface IEventStore
{
    /// <summary>A unit of work: appends, inbox marks and outbox messages commit together or not at all.</summary>
    Task<EventStoreSession> OpenSessionAsync(CancellationToken cancellationToken = default);

    /// <summary>Appends in a session of its own.</summary>
    Task<AppendResult> AppendAsync(string streamId, string streamType, ExpectedVersion expected, IReadOnlyList<NewEvent> events, IReadOnlyList<OutboxMessage>? outbox = null, CancellationToken cancellationToken = default);

    Task<StreamInfo?> GetStreamAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>Events of one stream from <paramref name="fromVersion"/> up to <paramref name="toVersion"/> (inclusive), in order.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamId, long fromVersion = 1, long? toVersion = null, CancellationToken cancellationToken = default);

    /// <summary>Time travel: the events of a stream recorded at or before <paramref name="at"/>.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadStreamAsOfAsync(string streamId, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Events of every stream after a global position, in global order; a page of at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int limit, CancellationToken cancellationToken = default);

    /// <summary>Events of the named streams after a global position, in global order; a page of at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadStreamsAsync(IReadOnlyList<string> streamIds, long afterPosition, int limit, CancellationToken cancellationToken = default);
}
