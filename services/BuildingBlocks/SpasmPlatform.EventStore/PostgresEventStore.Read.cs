using Npgsql;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

public sealed partial class PostgresEventStore
{
    internal const string EventColumns =
        "global_position, stream_id, stream_version, event_id, event_type, schema_version, data::text, metadata::text, recorded_at";

    public async Task<StreamInfo?> GetStreamAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT stream_id, stream_type, version, created_at, updated_at FROM {options.Schema}.streams WHERE stream_id = $1");
        command.Parameters.AddWithValue(streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StreamInfo(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetFieldValue<DateTimeOffset>(3), reader.GetFieldValue<DateTimeOffset>(4));
    }

    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsync(string streamId, long fromVersion = 1, long? toVersion = null, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {EventColumns} FROM {options.Schema}.events WHERE stream_id = $1 AND stream_version >= $2 AND stream_version <= $3 ORDER BY stream_version",
            [streamId, fromVersion, toVersion ?? long.MaxValue],
            cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadStreamAsOfAsync(string streamId, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {EventColumns} FROM {options.Schema}.events WHERE stream_id = $1 AND recorded_at <= $2 ORDER BY stream_version",
            [streamId, at.ToUniversalTime()],
            cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAllAsync(long afterPosition, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {EventColumns} FROM {options.Schema}.events WHERE global_position > $1 ORDER BY global_position LIMIT $2",
            [afterPosition, limit],
            cancellationToken);

    internal async Task<IReadOnlyList<StoredEvent>> QueryAsync(string sql, object[] parameters, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return await ReadEventsAsync(command, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var events = new List<StoredEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(ToStoredEvent(reader));
        }

        return events;
    }

    /// <summary>Reads a row in <see cref="EventColumns"/> order, upcasting its data to the current schema.</summary>
    internal StoredEvent ToStoredEvent(NpgsqlDataReader reader)
    {
        var eventType = reader.GetString(4);
        var (data, schemaVersion) = options.Types.Upcast(eventType, reader.GetInt32(5), reader.GetString(6));
        return new StoredEvent(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetInt64(2),
            reader.GetGuid(3),
            eventType,
            schemaVersion,
            data,
            EventJson.DeserializeMetadata(reader.GetString(7)),
            reader.GetFieldValue<DateTimeOffset>(8));
    }
}
