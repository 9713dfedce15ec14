using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// The example read model the asynchronous projection tests drive, as a Marten projection that writes plain SQL: per
/// stream the event count, total score and last version/sequence (wrong if events arrive out of order or twice), plus
/// a log of every applied event in the order applied. Its statements are queued on Marten's projection batch, so they
/// commit with the daemon's progress row or not at all: the log records effects, not attempts.
/// </summary>
public sealed class StreamSummaryProjection(string schema) : IProjection
{
    public const string Name = "stream_summary";

    public static readonly ShardName Shard = new(Name, ShardName.All, 1);

    private long _eventsHandled;
    private int _commitsToFail;
    private int _applyCallsToFail;

    /// <summary>Events passed to <see cref="ApplyAsync"/> by this instance, whether their batch committed or not.</summary>
    public long EventsHandled => Interlocked.Read(ref _eventsHandled);

    /// <summary>
    /// Makes the next <paramref name="batches"/> batches fail when the daemon commits them, after the read model's
    /// statements ran in the same transaction (the failure is the last statement queued).
    /// </summary>
    public void FailNextCommits(int batches) => Volatile.Write(ref _commitsToFail, batches);

    /// <summary>Makes the next <paramref name="calls"/> calls of <see cref="ApplyAsync"/> throw after queueing their writes.</summary>
    public void FailNextApplyCalls(int calls) => Volatile.Write(ref _applyCallsToFail, calls);

    /// <summary>Injected failures not yet used up: 0 once every one of them has happened.</summary>
    public int PendingFailures => Volatile.Read(ref _commitsToFail) + Volatile.Read(ref _applyCallsToFail);

    /// <summary>
    /// Both tables (<c>ordinal</c> numbers the log in the order rows were written), and the failure a test injects:
    /// Marten batches queued SQL, so one statement per command, and a DO block needs semicolons.
    /// </summary>
    public static string Ddl(string schema) => $"""
        CREATE TABLE {schema}.stream_summary (
            stream_id text PRIMARY KEY,
            event_count bigint NOT NULL,
            total_score bigint NOT NULL,
            last_version bigint NOT NULL,
            last_sequence bigint NOT NULL);
        CREATE TABLE {schema}.summary_applied (
            ordinal bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            seq_id bigint NOT NULL,
            stream_id text NOT NULL,
            version bigint NOT NULL);
        CREATE FUNCTION {schema}.fail_read_model() RETURNS void LANGUAGE plpgsql AS
            $$BEGIN RAISE EXCEPTION 'read model store unavailable'; END$$;
        """;

    /// <summary>How the tests register it: asynchronous, and emptied by Marten before a rebuild replays the events.</summary>
    public void Register(StoreOptions options, int batchSize = 500) =>
        options.Projections.Add(this, ProjectionLifecycle.Async, Name, async =>
        {
            async.BatchSize = batchSize;
            async.DeleteDataInTableOnTeardown($"{schema}.stream_summary");
            async.DeleteDataInTableOnTeardown($"{schema}.summary_applied");
        });

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        Interlocked.Add(ref _eventsHandled, events.Count);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        operations.QueueSqlCommand(
            $"""
            INSERT INTO {schema}.summary_applied (seq_id, stream_id, version)
            SELECT u.s, u.k, u.v FROM unnest(?::bigint[], ?::text[], ?::bigint[]) WITH ORDINALITY AS u (s, k, v, i) ORDER BY u.i
            """,
            events.Select(e => e.Sequence).ToArray(),
            events.Select(e => e.StreamKey!).ToArray(),
            events.Select(e => e.Version).ToArray());

        // Last version and sequence are overwritten, not maximised: events applied out of order leave them wrong.
        var perStream = events.GroupBy(e => e.StreamKey!, StringComparer.Ordinal)
            .Select(g => (Stream: g.Key, Count: (long)g.Count(), Total: g.Sum(e => (long)((PainRecorded)e.Data).Score), Last: g.Last()))
            .ToList();
        operations.QueueSqlCommand(
            $"""
            INSERT INTO {schema}.stream_summary AS s (stream_id, event_count, total_score, last_version, last_sequence)
            SELECT * FROM unnest(?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[])
            ON CONFLICT (stream_id) DO UPDATE SET
                event_count = s.event_count + EXCLUDED.event_count,
                total_score = s.total_score + EXCLUDED.total_score,
                last_version = EXCLUDED.last_version,
                last_sequence = EXCLUDED.last_sequence
            """,
            perStream.Select(p => p.Stream).ToArray(),
            perStream.Select(p => p.Count).ToArray(),
            perStream.Select(p => p.Total).ToArray(),
            perStream.Select(p => p.Last.Version).ToArray(),
            perStream.Select(p => p.Last.Sequence).ToArray());

        if (TakeOne(ref _commitsToFail))
        {
            operations.QueueSqlCommand($"SELECT {schema}.fail_read_model()");
        }

        if (TakeOne(ref _applyCallsToFail))
        {
            throw new InvalidOperationException("read model code failed");
        }

        return Task.CompletedTask;
    }

    private static bool TakeOne(ref int remaining)
    {
        while (true)
        {
            var current = Volatile.Read(ref remaining);
            if (current <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref remaining, current - 1, current) == current)
            {
                return true;
            }
        }
    }
}
