using Npgsql;

namespace SpasmPlatform.EventStore.Integrity;

/// <summary>
/// Walks Marten's stored rows (raw: no upcasting) with their links in the chain table and checks, per stream: versions
/// run 1..n without gaps, each event has a hash, links to the previous event's hash, and matches its recomputed
/// content, and Marten's stream row agrees with its last event. Any edit made behind the store's back shows up as a
/// break naming the stream and version.
/// </summary>
public sealed class IntegrityVerifier(NpgsqlDataSource dataSource, string schema)
{
    /// <summary>
    /// Marten's own stream for the sequence numbers of failed appends (so its daemon does not wait on the gap): no one's
    /// record, never read as history, and not chained by us.
    /// </summary>
    public const string TombstoneStream = "mt_tombstone";

    public async Task<IntegrityReport> VerifyAsync(string? streamId = null, CancellationToken cancellationToken = default)
    {
        var breaks = new List<IntegrityBreak>();
        long checkedCount = 0;
        // One snapshot for the heads and the events: appends committing between two reads would otherwise look like
        // events of an unregistered stream, or heads ahead of their events.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var heads = await ReadStreamHeadsAsync(connection, streamId, cancellationToken).ConfigureAwait(false);

        await using var command = new NpgsqlCommand(
            $"SELECT e.stream_id, e.version, e.id, e.type, e.data::text, {HashChain.MetadataSql}::text, e.timestamp, c.previous_hash, c.hash " +
            $"FROM {schema}.mt_events e LEFT JOIN {schema}.event_chain c ON c.seq_id = e.seq_id " +
            $"WHERE e.stream_id <> '{TombstoneStream}' {(streamId is null ? string.Empty : "AND e.stream_id = $1 ")}ORDER BY e.stream_id, e.version",
            connection);
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
                        CheckHead(current, expectedVersion, heads, breaks);
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

                var previous = reader.IsDBNull(7) ? null : reader.GetFieldValue<byte[]>(7);
                if (reader.IsDBNull(8))
                {
                    breaks.Add(new IntegrityBreak(stream, version, "the event has no hash: it was written behind the store's back"));
                    lastHash = null;
                    checkedCount++;
                    continue;
                }

                var stored = reader.GetFieldValue<byte[]>(8);
                if (!SameBytes(previous, lastHash))
                {
                    breaks.Add(new IntegrityBreak(stream, version, "previous_hash does not match the hash of the event before it"));
                }

                var recomputed = HashChain.Compute(
                    stream, version, reader.GetGuid(2), reader.GetString(3),
                    reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(4), reader.GetString(5), previous);
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
            CheckHead(current, expectedVersion, heads, breaks);
        }

        foreach (var (stream, _) in heads.Where(h => !h.Value.Seen))
        {
            breaks.Add(new IntegrityBreak(stream, heads[stream].Version, "the stream has a version but no events"));
        }

        return new IntegrityReport(breaks.Count == 0, checkedCount, breaks);
    }

    private static void CheckHead(string stream, long lastVersion, Dictionary<string, Head> heads, List<IntegrityBreak> breaks)
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
    }

    private async Task<Dictionary<string, Head>> ReadStreamHeadsAsync(NpgsqlConnection connection, string? streamId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT id, version FROM {schema}.mt_streams WHERE id <> '{TombstoneStream}'{(streamId is null ? string.Empty : " AND id = $1")}", connection);
        if (streamId is not null)
        {
            command.Parameters.AddWithValue(streamId);
        }

        var heads = new Dictionary<string, Head>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            heads[reader.GetString(0)] = new Head(reader.GetInt64(1));
        }

        return heads;
    }

    private static bool SameBytes(byte[]? a, byte[]? b) =>
        a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private sealed class Head(long version)
    {
        public long Version { get; } = version;

        public bool Seen { get; set; }
    }
}
