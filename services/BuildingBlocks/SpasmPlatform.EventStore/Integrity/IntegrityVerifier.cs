using Npgsql;

namespace SpasmPlatform.EventStore.Integrity;

/// <summary>
/// Walks stored rows (raw: no upcasting) and checks, per stream: versions run 1..n without gaps, each event links
/// to the previous event's hash, each hash matches its recomputed content, and the stream row agrees with its
/// last event. Any edit made behind the store's back shows up as a break naming the stream and version.
/// </summary>
public sealed class IntegrityVerifier(NpgsqlDataSource dataSource, string schema)
{
    public async Task<IntegrityReport> VerifyAsync(string? streamId = null, CancellationToken cancellationToken = default)
    {
        var breaks = new List<IntegrityBreak>();
        long checkedCount = 0;
        var heads = await ReadStreamHeadsAsync(streamId, cancellationToken).ConfigureAwait(false);

        await using var command = dataSource.CreateCommand(
            $"SELECT stream_id, stream_version, event_id, event_type, schema_version, data::text, metadata::text, recorded_at, previous_hash, hash " +
            $"FROM {schema}.events {(streamId is null ? string.Empty : "WHERE stream_id = $1 ")}ORDER BY stream_id, stream_version");
        if (streamId is not null)
        {
            command.Parameters.AddWithValue(streamId);
        }

        string? current = null;
        long expectedVersion = 0;
        byte[]? lastHash = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var stream = reader.GetString(0);
                if (stream != current)
                {
                    if (current is not null)
                    {
                        CheckHead(current, expectedVersion, lastHash, heads, breaks);
                    }

                    current = stream;
                    expectedVersion = 0;
                    lastHash = null;
                }

                var version = reader.GetInt64(1);
                expectedVersion++;
                if (version != expectedVersion)
                {
                    breaks.Add(new IntegrityBreak(stream, version, $"version {version} follows {expectedVersion - 1}: events are missing or renumbered"));
                    expectedVersion = version;
                }

                var previous = reader.IsDBNull(8) ? null : reader.GetFieldValue<byte[]>(8);
                var stored = reader.GetFieldValue<byte[]>(9);
                if (!SameBytes(previous, lastHash))
                {
                    breaks.Add(new IntegrityBreak(stream, version, "previous_hash does not match the hash of the event before it"));
                }

                var recomputed = HashChain.Compute(
                    stream, version, reader.GetGuid(2), reader.GetString(3), reader.GetInt32(4),
                    reader.GetFieldValue<DateTimeOffset>(7), reader.GetString(5), reader.GetString(6), previous);
                if (!SameBytes(recomputed, stored))
                {
                    breaks.Add(new IntegrityBreak(stream, version, "content does not match its hash: the event was altered after it was recorded"));
                }

                lastHash = stored;
                checkedCount++;
            }
        }

        if (current is not null)
        {
            CheckHead(current, expectedVersion, lastHash, heads, breaks);
        }

        foreach (var (stream, _) in heads.Where(h => !h.Value.Seen))
        {
            breaks.Add(new IntegrityBreak(stream, heads[stream].Version, "the stream has a version but no events"));
        }

        return new IntegrityReport(breaks.Count == 0, checkedCount, breaks);
    }

    private static void CheckHead(string stream, long lastVersion, byte[]? lastHash, Dictionary<string, Head> heads, List<IntegrityBreak> breaks)
    {
        if (!heads.TryGetValue(stream, out var head))
        {
            breaks.Add(new IntegrityBreak(stream, lastVersion, "events exist for a stream that is not registered"));
            return;
        }

        head.Seen = true;
        if (head.Version != lastVersion)
        {
            breaks.Add(new IntegrityBreak(stream, lastVersion, $"the stream says version {head.Version} but its last event is {lastVersion}: events were added or removed"));
        }
        else if (!SameBytes(head.LastHash, lastHash))
        {
            breaks.Add(new IntegrityBreak(stream, lastVersion, "the stream's last hash does not match its last event"));
        }
    }

    private async Task<Dictionary<string, Head>> ReadStreamHeadsAsync(string? streamId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT stream_id, version, last_hash FROM {schema}.streams{(streamId is null ? string.Empty : " WHERE stream_id = $1")}");
        if (streamId is not null)
        {
            command.Parameters.AddWithValue(streamId);
        }

        var heads = new Dictionary<string, Head>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            heads[reader.GetString(0)] = new Head(reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<byte[]>(2));
        }

        return heads;
    }

    private static bool SameBytes(byte[]? a, byte[]? b) =>
        a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private sealed class Head(long version, byte[]? lastHash)
    {
        public long Version { get; } = version;

        public byte[]? LastHash { get; } = lastHash;

        public bool Seen { get; set; }
    }
}
