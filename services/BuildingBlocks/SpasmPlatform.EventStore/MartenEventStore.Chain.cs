using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

public sealed partial class MartenEventStore
{
    /// <summary>A page of one stream from <paramref name="fromVersion"/>, each event with its hash and previous hash.</summary>
    public async Task<IReadOnlyList<ChainedEvent>> ReadStreamChainAsync(string streamId, long fromVersion, int limit, CancellationToken cancellationToken = default)
    {
        var events = await ReadStreamAsync(streamId, fromVersion, fromVersion + limit - 1, cancellationToken).ConfigureAwait(false);
        return await WithHashesAsync(events, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A page of every stream after <paramref name="afterPosition"/>, in global order, each event with its hash and previous hash.</summary>
    public async Task<IReadOnlyList<ChainedEvent>> ReadAllChainAsync(long afterPosition, int limit, CancellationToken cancellationToken = default)
    {
        var events = await ReadAllAsync(afterPosition, limit, cancellationToken).ConfigureAwait(false);
        return await WithHashesAsync(events, cancellationToken).ConfigureAwait(false);
    }

    // Events come through Marten (upcast, typed); their links come from the chain table, one query per page.
    private async Task<IReadOnlyList<ChainedEvent>> WithHashesAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return [];
        }

        await using var command = _dataSource.CreateCommand($"SELECT seq_id, hash, previous_hash FROM {Schema}.event_chain WHERE seq_id = ANY ($1)");
        command.Parameters.AddWithValue(events.Select(e => e.GlobalPosition).ToArray());
        var links = new Dictionary<long, (byte[] Hash, byte[]? Previous)>(events.Count);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                links[reader.GetInt64(0)] = (reader.GetFieldValue<byte[]>(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2));
            }
        }

        // An event without a link was written behind the trigger's back: shown with an empty hash, which VerifyIntegrity names.
        return events.Select(e => links.TryGetValue(e.GlobalPosition, out var link)
            ? new ChainedEvent(e, link.Hash, link.Previous)
            : new ChainedEvent(e, [], null)).ToArray();
    }
}
