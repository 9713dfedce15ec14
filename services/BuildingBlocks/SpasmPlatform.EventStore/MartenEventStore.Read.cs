using JasperFx.Events;
using Marten;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

public sealed partial class MartenEventStore
{
    public async Task<StreamInfo?> GetStreamAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var session = _marten.QuerySession();
        var state = await session.Events.FetchStreamStateAsync(streamId, cancellationToken).ConfigureAwait(false);
        return state is null ? null : new StreamInfo(streamId, state.Version, state.Created, state.LastTimestamp);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamId, long fromVersion = 1, long? toVersion = null, CancellationToken cancellationToken = default)
    {
        if (toVersion is < 1 || (toVersion is { } last && last < fromVersion))
        {
            return [];
        }

        await using var session = _marten.QuerySession();
        var events = await session.Events.FetchStreamAsync(streamId, version: toVersion ?? 0, fromVersion: Math.Max(fromVersion, 1), token: cancellationToken).ConfigureAwait(false);
        return ToStored(events);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadStreamAsOfAsync(string streamId, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var session = _marten.QuerySession();
        var events = await session.Events.FetchStreamAsync(streamId, timestamp: at, token: cancellationToken).ConfigureAwait(false);
        return ToStored(events);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int limit, CancellationToken cancellationToken = default)
    {
        await using var session = _marten.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > afterPosition && e.StreamKey != Integrity.IntegrityVerifier.TombstoneStream)
            .OrderBy(e => e.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return ToStored(events);
    }

    public async Task<IReadOnlyList<StoredEvent>> ReadStreamsAsync(IReadOnlyList<string> streamIds, long afterPosition, int limit, CancellationToken cancellationToken = default)
    {
        var keys = streamIds.ToArray();
        await using var session = _marten.QuerySession();
        var events = await session.Events.QueryAllRawEvents()
            .Where(e => keys.Contains(e.StreamKey) && e.Sequence > afterPosition)
            .OrderBy(e => e.Sequence)
            .Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return ToStored(events);
    }

    private StoredEvent[] ToStored(IReadOnlyList<IEvent> events)
    {
        var stored = new StoredEvent[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            stored[i] = MartenEvents.ToStored(events[i], _names);
        }

        return stored;
    }
}
