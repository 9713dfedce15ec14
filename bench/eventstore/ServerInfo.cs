using Npgsql;

namespace SpasmPlatform.Bench.EventStore;

/// <summary>The server's version and the settings that decide commit cost, recorded with every result.</summary>
public sealed record ServerInfo(string Version, IReadOnlyList<KeyValuePair<string, string>> Settings)
{
    private static readonly string[] Names =
    [
        "fsync", "synchronous_commit", "wal_sync_method", "full_page_writes", "wal_level", "wal_compression",
        "commit_delay", "commit_siblings", "wal_buffers", "wal_writer_delay", "shared_buffers", "max_wal_size",
        "checkpoint_timeout", "jit",
    ];

    public static async Task<ServerInfo> ReadAsync(NpgsqlDataSource source)
    {
        string version;
        await using (var command = source.CreateCommand("SHOW server_version"))
        {
            version = (string)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = source.CreateCommand("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY ($1)"))
        {
            command.Parameters.AddWithValue(Names);
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                settings[reader.GetString(0)] = reader.GetString(1);
            }
        }

        return new ServerInfo(version, [.. Names.Where(settings.ContainsKey).Select(n => KeyValuePair.Create(n, settings[n]))]);
    }

    public string Get(string name) => Settings.FirstOrDefault(s => s.Key == name).Value ?? "?";

    /// <summary>Durable: every commit waits for its WAL to reach the disk.</summary>
    public bool Durable => Get("fsync") == "on" && Get("synchronous_commit") is "on" or "remote_write" or "remote_apply";
}
