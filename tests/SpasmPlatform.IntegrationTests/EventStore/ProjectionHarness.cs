using JasperFx.Events.Daemon;
using Marten;
using Microsoft.Extensions.Logging;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// A fresh schema with the example read model, the "processes" that run Marten's async daemon over it, and the reads
/// the asynchronous projection tests compare: committed events, applied events, the read model and the progress row.
/// </summary>
public sealed class ProjectionHarness : IAsyncDisposable
{
    /// <summary>
    /// Marten's default is 3 s; a third of it keeps the tests quick. Marten 9 consults transaction evidence before
    /// skipping a stale gap, so the threshold only decides how soon a rolled-back gap is passed, never whether a live
    /// transaction's events are skipped (the visibility tests prove both).
    /// </summary>
    public static readonly TimeSpan StaleThreshold = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Bounds every wait. Generous: skipping a rolled-back gap also waits out transactions anywhere in the database
    /// that began before the gap was seen, and other test runs may share this PostgreSQL.
    /// </summary>
    public static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(45);

    private readonly List<ProjectionNode> _nodes = [];
    private readonly ILoggerFactory _logging;

    private ProjectionHarness(EventStoreDatabase database, MartenEventStore writer, ILoggerFactory logging)
    {
        Database = database;
        Writer = writer;
        _logging = logging;
    }

    public EventStoreDatabase Database { get; }

    /// <summary>The store the tests append through. It runs no daemon itself.</summary>
    public MartenEventStore Writer { get; }

    public string Schema => Database.Schema;

    public static async Task<ProjectionHarness> CreateAsync(ITestOutputHelper output)
    {
        // Marten logs every batch and every poll of a stale gap at Information; warnings and errors are what explain
        // a failing test (a gap held or skipped, a failed batch, a lost leadership lock).
        var logging = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Warning).AddProvider(new TestOutputLoggerProvider(output)));
        var database = new EventStoreDatabase();
        var writer = await database.CreateStoreAsync();
        await database.ExecuteAsync(StreamSummaryProjection.Ddl("{schema}"));
        return new ProjectionHarness(database, writer, logging);
    }

    /// <summary>
    /// A process of its own: its own data source (pool) and Marten store, configured as a service's (HotCold), with
    /// its own instance of the projection registered asynchronous. Runs nothing until a daemon or coordinator is
    /// started on it.
    /// </summary>
    public ProjectionNode NewNode(Action<StoreOptions>? tune = null, int batchSize = 500)
    {
        var dataSource = NpgsqlDataSource.Create(Platform.Postgres);
        var projection = new StreamSummaryProjection(Schema);
        var options = new EventStoreOptions { Schema = Schema };
        options.Types.Register<PainRecorded>(TestEvents.PainRecordedName);
        options.Marten.Add(marten =>
        {
            projection.Register(marten, batchSize);
            marten.Projections.AsyncMode = DaemonMode.HotCold;
            marten.Projections.StaleSequenceThreshold = StaleThreshold;
            // Marten's defaults (250 ms, 1 s, 5 s, 1 s, 5 s) would make every wait here seconds long.
            marten.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
            marten.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(100);
            marten.Projections.HealthCheckPollingTime = TimeSpan.FromMilliseconds(250);
            marten.Projections.AgentPauseTime = TimeSpan.FromMilliseconds(100);
            marten.Projections.LeadershipPollingTime = 250;
            tune?.Invoke(marten);
        });

        var node = new ProjectionNode(dataSource, new MartenEventStore(dataSource, options), projection, _logging);
        _nodes.Add(node);
        return node;
    }

    /// <summary>A node running what a service host runs: Marten's HotCold coordinator.</summary>
    public async Task<ProjectionNode> StartNodeAsync(Action<StoreOptions>? tune = null, int batchSize = 500)
    {
        var node = NewNode(tune, batchSize);
        await node.StartCoordinatorAsync();
        return node;
    }

    public static IReadOnlyList<NewEvent> Pains(int count) => TestEvents.Pains([.. Enumerable.Range(1, count).Select(s => s % 10)]);

    public Task<AppendResult> AppendAsync(string streamId, int count = 1) =>
        Writer.AppendAsync(streamId, "patient", ExpectedVersion.Any, Pains(count));

    /// <summary>
    /// Appends in a transaction that stays open: its sequence numbers are taken, its events not yet visible. With
    /// <paramref name="seenBy"/> the transaction begins, and that node's high-water agent polls once, before the numbers
    /// are taken. Marten judges a stuck gap by the transactions that began before the poll that first saw it, and a poll
    /// stamps its start but reads the sequence later: a transaction that began and reserved while one poll ran (a
    /// window that only a loaded machine makes wide) counts as younger than the gap, and the gap is skipped as dead.
    /// </summary>
    public async Task<HeldAppend> HoldOpenAsync(string streamId, int count, ProjectionNode? seenBy = null)
    {
        var session = await Writer.OpenSessionAsync();
        if (seenBy is not null)
        {
            await using (var begin = new NpgsqlCommand("SELECT 1", session.Connection, session.Transaction))
            {
                await begin.ExecuteScalarAsync();
            }

            var begun = DateTimeOffset.UtcNow;
            await Eventually.WaitAsync(() => seenBy.RunningDaemon.HighWaterLastPolledAt > begun, CatchUpTimeout, "a high-water poll after the held transaction began");
        }

        var result = await session.AppendAsync(streamId, "patient", ExpectedVersion.Any, Pains(count));
        return new HeldAppend(session, result.Positions);
    }

    /// <summary>
    /// Appends <paramref name="transactions"/> transactions of <paramref name="perTransaction"/> events over
    /// <paramref name="streams"/> streams from <paramref name="writers"/> concurrent writers, and also rolls back one
    /// transaction in <paramref name="rollbackEvery"/>, so the sequence has permanent gaps. Returns how many rolled back.
    /// </summary>
    public async Task<int> SeedAsync(int transactions, int perTransaction = 20, int streams = 50, int writers = 2, int rollbackEvery = 10)
    {
        var rolledBack = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < transactions)
            {
                if (index % rollbackEvery == rollbackEvery - 1)
                {
                    await using var doomed = await Writer.OpenSessionAsync();
                    await doomed.AppendAsync($"doomed-{index}", "patient", ExpectedVersion.Any, Pains(3));
                    Interlocked.Increment(ref rolledBack);
                }

                await AppendAsync($"patient-{index % streams}", perTransaction);
            }
        }));
        return rolledBack;
    }

    /// <summary>
    /// Rebuilds the projection with Marten's API on the node running it. Marten leaves the continuous agent stopped
    /// afterwards and its HotCold coordinator only restarts agents that are missing or paused, so the caller starts
    /// it again, as a service's rebuild command must.
    /// </summary>
    public static async Task RebuildAsync(ProjectionNode node)
    {
        using var deadline = new CancellationTokenSource(CatchUpTimeout);
        var daemon = node.RunningDaemon;
        await daemon.RebuildProjectionAsync(StreamSummaryProjection.Name, CatchUpTimeout, deadline.Token);
        await daemon.StartAgentAsync(StreamSummaryProjection.Shard.Identity, deadline.Token);
    }

    public Task<long> HeadAsync() => ScalarAsync<long>($"SELECT coalesce(max(seq_id), 0) FROM {Schema}.mt_events");

    /// <summary>The projection's stored progress (Marten's mt_event_progression row), 0 before its first batch.</summary>
    public Task<long> ProgressAsync() => Writer.Marten.Advanced.ProjectionProgressFor(StreamSummaryProjection.Shard);

    /// <summary>The store's high-water mark: Marten's daemon reads no event above it.</summary>
    public Task<long> HighWaterMarkAsync() =>
        ScalarAsync<long>($"SELECT coalesce((SELECT last_seq_id FROM {Schema}.mt_event_progression WHERE name = 'HighWaterMark'), 0)");

    public Task<List<AppliedEvent>> CommittedAsync() =>
        ListAsync($"SELECT seq_id, stream_id, version FROM {Schema}.mt_events ORDER BY seq_id", ReadApplied);

    public async Task<List<long>> CommittedSequencesAsync() => [.. (await CommittedAsync()).Select(e => e.Sequence)];

    public Task<List<AppliedEvent>> AppliedAsync() =>
        ListAsync($"SELECT seq_id, stream_id, version FROM {Schema}.summary_applied ORDER BY ordinal", ReadApplied);

    public async Task<List<long>> AppliedSequencesAsync() => [.. (await AppliedAsync()).Select(e => e.Sequence)];

    public Task<List<StreamSummary>> ReadModelAsync() => ListAsync(
        $"SELECT stream_id, event_count, total_score, last_version, last_sequence FROM {Schema}.stream_summary ORDER BY stream_id",
        ReadSummary);

    /// <summary>The read model computed straight from the committed events: what the projection must converge to.</summary>
    public Task<List<StreamSummary>> ExpectedReadModelAsync() => ListAsync(
        $"""
        SELECT stream_id, count(*), sum((data ->> 'score')::bigint)::bigint, max(version), max(seq_id)
        FROM {Schema}.mt_events GROUP BY stream_id ORDER BY stream_id
        """,
        ReadSummary);

    /// <summary>Waits until the projection's stored progress reaches the highest committed sequence.</summary>
    public async Task WaitUntilCaughtUpAsync()
    {
        var head = await HeadAsync();
        await Eventually.WaitAsync(async () => await ProgressAsync() >= head, CatchUpTimeout, $"the projection to reach sequence {head}");
    }

    /// <summary>
    /// Waits until the node's high-water agent has polled again <paramref name="polls"/> stale thresholds from now: a
    /// gap that was already visible has then been stale long enough for Marten to consider skipping it, and has been
    /// looked at since.
    /// </summary>
    public static async Task LetTheDaemonPollPastTheStaleThresholdAsync(ProjectionNode node, int polls = 3)
    {
        var after = DateTimeOffset.UtcNow + (polls * StaleThreshold);
        await Eventually.WaitAsync(
            () => node.RunningDaemon.HighWaterLastPolledAt > after,
            (polls * StaleThreshold) + CatchUpTimeout,
            $"the high-water agent to poll after {after:O}");
    }

    /// <summary>Every committed event applied once, in global order, and the read model equal to the events'.</summary>
    public async Task AssertExactlyOnceInOrderAsync()
    {
        var committed = await CommittedAsync();
        var applied = await AppliedAsync();
        Assert.Equal(applied.Count, applied.Select(a => a.Sequence).Distinct().Count());
        Assert.Equal(committed, applied);
        Assert.Equal(await ExpectedReadModelAsync(), await ReadModelAsync());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        await Writer.DisposeAsync();
        await Database.DisposeAsync();
        _logging.Dispose();
    }

    private static AppliedEvent ReadApplied(NpgsqlDataReader r) => new(r.GetInt64(0), r.GetString(1), r.GetInt64(2));

    private static StreamSummary ReadSummary(NpgsqlDataReader r) => new(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4));

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<T>> ListAsync<T>(string sql, Func<NpgsqlDataReader, T> map)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}

/// <summary>One event as the applied log records it (and as mt_events holds it), compared in order.</summary>
public sealed record AppliedEvent(long Sequence, string StreamId, long Version);

/// <summary>An append whose transaction a test holds open, then commits or rolls back; disposing rolls it back.</summary>
public sealed class HeldAppend(EventStoreSession session, IReadOnlyList<long> positions) : IAsyncDisposable
{
    public IReadOnlyList<long> Positions { get; } = positions;

    public Task CommitAsync() => session.CommitAsync();

    public Task RollbackAsync() => session.Transaction.RollbackAsync();

    public ValueTask DisposeAsync() => session.DisposeAsync();
}
