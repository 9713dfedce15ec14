using Npgsql;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.Fuzz;

/// <summary>
/// The events table of one service's schema: row count, last global position and an MD5 over every column of every
/// row in order, so that any change to a stored event, however small, changes the digest.
/// </summary>
internal sealed record EventStoreSnapshot(string Schema, long Count, long LastPosition, string Digest)
{
    public static async Task<EventStoreSnapshot> TakeAsync(string schema)
    {
        var (count, last, digest) = await DigestAsync(schema, long.MaxValue);
        return new EventStoreSnapshot(schema, count, last, digest);
    }

    /// <summary>The same digest over the rows this snapshot saw: equal when none of them changed or went away.</summary>
    public async Task<bool> UnchangedAsync()
    {
        var (count, last, digest) = await DigestAsync(Schema, LastPosition);
        return count == Count && last == LastPosition && digest == Digest;
    }

    /// <summary>Events appended since this snapshot: (stream id, event type) in order.</summary>
    public async Task<List<(string Stream, string Type)>> AppendedSinceAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var command = dataSource.CreateCommand($"SELECT stream_id, type FROM {Schema}.mt_events WHERE seq_id > $1 ORDER BY seq_id");
        command.Parameters.Add(new NpgsqlParameter { Value = LastPosition });
        var rows = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    private static async Task<(long Count, long Last, string Digest)> DigestAsync(string schema, long upTo)
    {
        await using var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        await using var command = dataSource.CreateCommand(
            $"SELECT count(*), coalesce(max(seq_id), 0), coalesce(md5(string_agg(e::text, E'\\n' ORDER BY seq_id)), '') FROM {schema}.mt_events e WHERE seq_id <= $1");
        command.Parameters.Add(new NpgsqlParameter { Value = upTo });
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2));
    }
}
