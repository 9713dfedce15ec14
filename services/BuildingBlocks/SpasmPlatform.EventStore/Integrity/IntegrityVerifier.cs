using System.Collections.Concurrent;
using System.Data;
using System.Threading.Channels;
using Npgsql;

namespace SpasmPlatform.EventStore.Integrity;

/// <summary>
/// Walks Marten's stored rows (raw: no upcasting) with their links in the chain table and checks, per stream: versions
/// run 1..n without gaps, each event has a hash, links to the previous event's hash, and matches its recomputed
/// content, and Marten's stream row agrees with its last event. Any edit made behind the store's back shows up as a
/// break naming the stream and version.
/// <para>
/// One reader streams the rows in (stream, version) order through a cursor and makes every check that needs the order
/// (versions, links, heads) as they arrive; recomputing each event's hash needs only its own row and its stored
/// previous hash, so that part, nearly all of the client's work, goes in batches to one worker per core. Breaks are
/// reported in the order of the rows, as a single pass would report them.
/// </para>
/// </summary>
public sealed class IntegrityVerifier(NpgsqlDataSource dataSource, string schema)
{
    /// <summary>
    /// Marten's own stream for the sequence numbers of failed appends (so its daemon does not wait on the gap): no one's
    /// record, never read as history, and not chained by us.
    /// </summary>
    public const string TombstoneStream = "mt_tombstone";

    // Rows per FETCH: enough that the round trips between pages cost nothing next to the rows.
    private const int PageSize = 10_000;

    // Rows per work item handed to a hashing worker.
    private const int BatchSize = 256;

    // The order of the checks made on one row: a break's place in the report is (row, check).
    private const int HeadCheck = 0;
    private const int VersionCheck = 1;
    private const int LinkCheck = 2;
    private const int ContentCheck = 3;

    public async Task<IntegrityReport> VerifyAsync(string? streamId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One snapshot for the heads and every page of rows, so appends committed meanwhile are never half seen.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        var heads = await ReadStreamHeadsAsync(connection, transaction, streamId, cancellationToken).ConfigureAwait(false);

        var breaks = new ConcurrentQueue<(long Order, IntegrityBreak Break)>();
        // Bounded: the reader waits rather than heap up rows (and survivors to collect) when the workers fall behind.
        var work = Channel.CreateBounded<ArraySegment<Row>>(new BoundedChannelOptions(Environment.ProcessorCount) { SingleWriter = true });
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workers = Enumerable.Range(0, Environment.ProcessorCount)
            .Select(_ => Task.Run(() => HashAsync(work.Reader, breaks, failed), CancellationToken.None))
            .ToArray();
        long checkedCount;
        try
        {
            checkedCount = await ReadAsync(connection, transaction, streamId, heads, breaks, work.Writer, failed.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A worker failed and stopped the reader: the worker's exception is the one to report.
            await Task.WhenAll(workers).ConfigureAwait(false);
            throw;
        }
        finally
        {
            work.Writer.TryComplete();
            // Every worker stops before the token source they share is disposed, whatever stopped the reader.
            await Task.WhenAll(workers).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // A worker's own failure, if the reader finished first.
        await Task.WhenAll(workers).ConfigureAwait(false);
        var ordered = breaks.OrderBy(b => b.Order).Select(b => b.Break).ToList();
        foreach (var (stream, head) in heads.Where(h => !h.Value.Seen))
        {
            ordered.Add(new IntegrityBreak(stream, head.Version, "the stream has a version but no events"));
        }

        return new IntegrityReport(ordered.Count == 0, checkedCount, ordered);
    }

    /// <summary>Reads every row in order, makes the ordered checks, and queues the rows that have a hash for recomputation.</summary>
    private async Task<long> ReadAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string? streamId, Dictionary<string, Head> heads,
        ConcurrentQueue<(long Order, IntegrityBreak Break)> breaks, ChannelWriter<ArraySegment<Row>> work, CancellationToken cancellationToken)
    {
        // A cursor is planned for a fast start (an index scan in (stream, version) order, streamed), where a plain query
        // over a large schema was planned as a parallel sort of every row's text, spilled to disk before the first row.
        // The metadata object is built by HashChain.MetadataText from its columns: building it in SQL was a third of the
        // server's time per row. jsonb travels as its canonical text (the same as ::text, behind a version byte that Npgsql
        // strips), so the data is read as the UTF-8 bytes the trigger hashed, copied rather than decoded (a worker would
        // only encode it again).
        await using (var declare = new NpgsqlCommand(
            $"DECLARE verify_rows NO SCROLL CURSOR FOR " +
            $"SELECT e.stream_id, e.version, e.id, e.type, e.data, jsonb_strip_nulls(e.headers), e.causation_id, e.correlation_id, e.user_name, " +
            $"e.timestamp, c.previous_hash, c.hash " +
            $"FROM {schema}.mt_events e LEFT JOIN {schema}.event_chain c ON c.seq_id = e.seq_id " +
            $"WHERE e.stream_id <> '{TombstoneStream}' {(streamId is null ? string.Empty : "AND e.stream_id = $1 ")}ORDER BY e.stream_id, e.version",
            connection,
            transaction))
        {
            if (streamId is not null)
            {
                declare.Parameters.AddWithValue(streamId);
            }

            await declare.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var fetch = new NpgsqlCommand($"FETCH FORWARD {PageSize} FROM verify_rows", connection, transaction);
        string? current = null;
        long expectedVersion = 0;
        byte[]? lastHash = null;
        long row = 0;
        long checkedCount = 0;
        var batch = new Row[BatchSize];
        var queued = 0;
        void Break(long at, int check, string stream, long version, string reason) =>
            breaks.Enqueue(((at * 4) + check, new IntegrityBreak(stream, version, reason)));

        int read;
        do
        {
            read = 0;
            await using var reader = await fetch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                read++;
                row++;
                var stream = reader.GetString(0);
                if (stream != current)
                {
                    if (current is not null && CheckHead(current, expectedVersion, heads) is { } headBreak)
                    {
                        breaks.Enqueue(((row * 4) + HeadCheck, headBreak));
                    }

                    current = stream;
                    expectedVersion = 0;
                    lastHash = null;
                }

                var version = reader.GetInt64(1);
                expectedVersion++;
                if (version != expectedVersion)
                {
                    Break(row, VersionCheck, stream, version, $"version {version} follows {expectedVersion - 1}: events are missing or renumbered");
                    expectedVersion = version;
                }

                checkedCount++;
                var previous = reader.IsDBNull(10) ? null : reader.GetFieldValue<byte[]>(10);
                if (reader.IsDBNull(11))
                {
                    Break(row, LinkCheck, stream, version, "the event has no hash: it was written behind the store's back");
                    lastHash = null;
                    continue;
                }

                var stored = reader.GetFieldValue<byte[]>(11);
                if (!SameBytes(previous, lastHash))
                {
                    Break(row, LinkCheck, stream, version, "previous_hash does not match the hash of the event before it");
                }

                batch[queued++] = new Row(
                    row, stream, version, reader.GetGuid(2), reader.GetString(3), reader.GetFieldValue<byte[]>(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.GetFieldValue<DateTimeOffset>(9), previous, stored);
                if (queued == BatchSize)
                {
                    await work.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    batch = new Row[BatchSize];
                    queued = 0;
                }

                lastHash = stored;
            }
        }
        while (read == PageSize);

        if (queued > 0)
        {
            await work.WriteAsync(new ArraySegment<Row>(batch, 0, queued), cancellationToken).ConfigureAwait(false);
        }

        if (current is not null && CheckHead(current, expectedVersion, heads) is { } lastHeadBreak)
        {
            breaks.Enqueue((((row + 1) * 4) + HeadCheck, lastHeadBreak));
        }

        return checkedCount;
    }

    /// <summary>Recomputes each queued event's hash; a mismatch is a content break at that event's place.</summary>
    private static async Task HashAsync(ChannelReader<ArraySegment<Row>> work, ConcurrentQueue<(long Order, IntegrityBreak Break)> breaks, CancellationTokenSource failed)
    {
        try
        {
            await foreach (var batch in work.ReadAllAsync(failed.Token).ConfigureAwait(false))
            {
                foreach (var r in batch)
                {
                    var metadata = HashChain.MetadataText(r.Headers, r.CausationId, r.CorrelationId, r.UserName);
                    if (!HashChain.Matches(r.Stored, r.Stream, r.Version, r.EventId, r.Type, r.RecordedAt, r.Data, metadata, r.Previous))
                    {
                        breaks.Enqueue(((r.At * 4) + ContentCheck, new IntegrityBreak(r.Stream, r.Version, "content does not match its hash: the event was altered after it was recorded")));
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await failed.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static IntegrityBreak? CheckHead(string stream, long lastVersion, Dictionary<string, Head> heads)
    {
        if (!heads.TryGetValue(stream, out var head))
        {
            return new IntegrityBreak(stream, lastVersion, "events exist for a stream that is not registered");
        }

        head.Seen = true;
        return head.Version != lastVersion
            ? new IntegrityBreak(stream, lastVersion, $"the stream says version {head.Version} but its last event is {lastVersion}: events were added or removed")
            : null;
    }

    private async Task<Dictionary<string, Head>> ReadStreamHeadsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string? streamId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT id, version FROM {schema}.mt_streams WHERE id <> '{TombstoneStream}'{(streamId is null ? string.Empty : " AND id = $1")}", connection, transaction);
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

    /// <summary>What a worker needs to recompute one event's hash, and where a break would stand in the report.</summary>
    private readonly record struct Row(
        long At, string Stream, long Version, Guid EventId, string Type, byte[] Data,
        string? Headers, string? CausationId, string? CorrelationId, string? UserName,
        DateTimeOffset RecordedAt, byte[]? Previous, byte[] Stored);

    private sealed class Head(long version)
    {
        public long Version { get; } = version;

        public bool Seen { get; set; }
    }
}
