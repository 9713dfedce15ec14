using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>Writes probes the way a service would (an event and its outbox message in one session) and reads the outbox back.</summary>
public static class OutboxTable
{
    public static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string> { ["x-clinic"] = "clinic-7" };

    /// <summary>Appends an event to <paramref name="streamId"/> and queues its probe; commits both. Returns the message id.</summary>
    public static async Task<Guid> WriteAsync(MartenEventStore store, IntegrationMessageTypes types, string streamId, int sequence)
    {
        await using var session = await store.OpenSessionAsync();
        await session.AppendAsync(streamId, "probe", ExpectedVersion.Any, [ProbeEvent(sequence)]);
        var message = types.Create(new OutboxProbe(streamId, sequence, $"probe {sequence}"), streamId, Headers);
        session.Publish(message);
        await session.CommitAsync();
        return message.MessageId;
    }

    public static NewEvent ProbeEvent(int sequence) =>
        new(Guid.NewGuid(), TestEvents.ProbeRecordedName, new ProbeRecorded(sequence), new EventMetadata(Actor: "integration-test"));

    public static async Task<IReadOnlyList<OutboxRowState>> ReadAsync(EventStoreDatabase db)
    {
        await using var command = db.DataSource.CreateCommand(
            $"SELECT id, message_id, stream_id, message_type, sent_at, attempts, last_error FROM {db.Schema}.outbox ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<OutboxRowState>();
        while (await reader.ReadAsync())
        {
            rows.Add(new OutboxRowState(
                reader.GetInt64(0),
                reader.GetGuid(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return rows;
    }

    /// <summary>True once the relay's listening connection has issued its LISTEN: from then on every commit wakes it.</summary>
    public static async Task<bool> RelayIsListeningAsync(EventStoreDatabase db)
    {
        await using var command = db.DataSource.CreateCommand("SELECT count(*) FROM pg_stat_activity WHERE query = $1");
        command.Parameters.AddWithValue($"LISTEN {db.Schema}_outbox");
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    /// <summary>Asserts that each stream's probes arrived in the order they were written (repeats of a delivered id ignored).</summary>
    public static void AssertInOrderPerStream(IEnumerable<Delivery<OutboxProbe>> deliveries, IReadOnlyDictionary<string, int> countPerStream)
    {
        var firstArrivals = deliveries.DistinctBy(d => d.MessageId).ToList();
        foreach (var (stream, count) in countPerStream)
        {
            Assert.Equal(Enumerable.Range(1, count), firstArrivals.Where(d => d.Message.StreamId == stream).Select(d => d.Message.Sequence));
        }
    }
}
