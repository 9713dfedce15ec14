using System.Text;
using Npgsql;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore;

public sealed partial class PostgresEventStore
{
    // data and metadata go out as jsonb's own binary form (a version byte and the text): no text copy on the server.
    internal const string EventColumns =
        "global_position, stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at";

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
        var schemaVersion = reader.GetInt32(5);
        // jsonb read as byte[] is the UTF-8 text PostgreSQL sent, copied once: no UTF-16 string unless someone asks for one.
        var data = reader.GetFieldValue<byte[]>(6);
        string? upcast = null;
        if (options.Types.HasUpcaster(eventType, schemaVersion))
        {
            (upcast, schemaVersion) = options.Types.Upcast(eventType, schemaVersion, Encoding.UTF8.GetString(data));
        }

        return new StoredEvent(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetInt64(2),
            reader.GetGuid(3),
            eventType,
            schemaVersion,
            upcast is null ? data : null,
            upcast,
            reader.GetFieldValue<byte[]>(7),
            reader.GetFieldValue<DateTimeOffset>(8));
    }
}
