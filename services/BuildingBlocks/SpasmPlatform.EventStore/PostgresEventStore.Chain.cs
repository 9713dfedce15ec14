using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

public sealed partial class PostgresEventStore
{
    private const string ChainColumns = EventColumns + ", hash, previous_hash";

    /// <summary>A page of one stream from <paramref name="fromVersion"/>, each event with its hash and previous hash.</summary>
    public Task<IReadOnlyList<ChainedEvent>> ReadStreamChainAsync(string streamId, long fromVersion, int limit, CancellationToken cancellationToken = default) =>
        QueryChainAsync(
            $"SELECT {ChainColumns} FROM {options.Schema}.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3",
            [streamId, fromVersion, limit],
            cancellationToken);

    /// <summary>A page of every stream after <paramref name="afterPosition"/>, in global order, each event with its hash and previous hash.</summary>
    public Task<IReadOnlyList<ChainedEvent>> ReadAllChainAsync(long afterPosition, int limit, CancellationToken cancellationToken = default) =>
        QueryChainAsync(
            $"SELECT {ChainColumns} FROM {options.Schema}.events WHERE global_position > $1 ORDER BY global_position LIMIT $2",
            [afterPosition, limit],
            cancellationToken);

    private async Task<IReadOnlyList<ChainedEvent>> QueryChainAsync(string sql, object[] parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        var events = new List<ChainedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(new ChainedEvent(
                ToStoredEvent(reader),
                reader.GetFieldValue<byte[]>(9),
                reader.IsDBNull(10) ? null : reader.GetFieldValue<byte[]>(10)));
        }

        return events;
    }
}
