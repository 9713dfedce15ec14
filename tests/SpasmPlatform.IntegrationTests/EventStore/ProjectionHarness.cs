using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// A fresh schema with the example read model, and the reads the asynchronous projection tests compare:
/// committed events, applied positions, the read model and the stored checkpoint.
/// </summary>
public sealed class ProjectionHarness : IAsyncDisposable
{
    public static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(90);

    private readonly List<ProjectionDaemon> _daemons = [];
    private readonly List<NpgsqlDataSource> _dataSources = [];

    private ProjectionHarness(EventStoreDatabase database, PostgresEventStore store)
    {
        Database = database;
        Store = store;
    }

    public EventStoreDatabase Database { get; }

    public PostgresEventStore Store { get; }

    public string Schema => Database.Schema;

    public static async Task<ProjectionHarness> CreateAsync()
    {
        var database = new EventStoreDatabase();
        var store = await database.CreateStoreAsync();
        await StreamSummaryProjection.CreateTablesAsync(database.DataSource, database.Schema);
        return new ProjectionHarness(database, store);
    }

    public static ProjectionDaemonOptions FastOptions(int batchSize = 100) => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(25),
        BatchSize = batchSize,
        ErrorBackoff = TimeSpan.FromMilliseconds(50),
    };

    public StreamSummaryProjection NewProjection() => new(new EventStoreOptions { Schema = Schema });

    /// <summary>
    /// A daemon as a separate process would have it: its own data source (pool), so its lock and connections are
    /// separate from every other daemon's. Not started.
    /// </summary>
    public ProjectionDaemon NewDaemon(StreamSummaryProjection projection, ProjectionDaemonOptions? options = null)
    {
        var dataSource = NpgsqlDataSource.Create(Infrastructure.Platform.Postgres);
        var store = new PostgresEventStore(dataSource, new EventStoreOptions { Schema = Schema });
        var daemon = new ProjectionDaemon(store, [projection], options ?? FastOptions(), NullLogger<ProjectionDaemon>.Instance);
        _daemons.Add(daemon);
        _dataSources.Add(dataSource);
        return daemon;
    }

    public async Task<ProjectionDaemon> StartDaemonAsync(StreamSummaryProjection projection, ProjectionDaemonOptions? options = null)
    {
        var daemon = NewDaemon(projection, options);
        await daemon.StartAsync(CancellationToken.None);
        return daemon;
    }

    public static NewEvent Event(string type = "SpasmReported") =>
        new(Guid.NewGuid(), type, 1, """{"intensity":3,"region":"lumbar"}""", new EventMetadata(Actor: "projection-tests"));

    public static IReadOnlyList<NewEvent> Events(int count) => [.. Enumerable.Range(0, count).Select(_ => Event())];

    public Task<AppendResult> AppendAsync(string streamId, int count = 1) =>
        Store.AppendAsync(streamId, "patient", ExpectedVersion.Any, Events(count));

    /// <summary>
    /// Appends <paramref name="totalEvents"/> events over <paramref name="streams"/> streams from <paramref name="writers"/>
    /// concurrent writers, <paramref name="perTransaction"/> at a time, and also rolls back one transaction in
    /// <paramref name="rollbackEvery"/> so the positions have permanent gaps. Returns the number of rolled-back transactions.
    /// </summary>
    public async Task<int> SeedAsync(int totalEvents, int streams = 200, int perTransaction = 50, int writers = 2, int rollbackEvery = 25)
    {
        var transactions = totalEvents / perTransaction;
        var rolledBack = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < transactions)
            {
                var stream = $"patient-{index % streams}";
                if (index % rollbackEvery == rollbackEvery - 1)
                {
                    await using var doomed = await Store.OpenSessionAsync();
                    await doomed.AppendAsync($"doomed-{index}", "patient", ExpectedVersion.Any, Events(3));
                    Interlocked.Increment(ref rolledBack);
                }

                await AppendAsync(stream, perTransaction);
            }
        }));
        return rolledBack;
    }

    public async Task<long> CheckpointAsync(string name = StreamSummaryProjection.DefaultName)
    {
        await using var command = Database.DataSource.CreateCommand($"SELECT position FROM {Schema}.projection_checkpoints WHERE name = $1");
        command.Parameters.AddWithValue(name);
        return await command.ExecuteScalarAsync() is long position ? position : -1;
    }

    public Task<bool> IsRebuildPendingAsync(string name = StreamSummaryProjection.DefaultName) =>
        ScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM {Schema}.projection_rebuilds WHERE name = $1)", name);

    public Task<long> HeadAsync() => ScalarAsync<long>($"SELECT coalesce(max(global_position), 0) FROM {Schema}.events");

    public Task<List<long>> CommittedPositionsAsync() => ListAsync($"SELECT global_position FROM {Schema}.events ORDER BY global_position", r => r.GetInt64(0));

    public Task<List<long>> AppliedPositionsAsync() => ListAsync($"SELECT global_position FROM {Schema}.summary_applied ORDER BY ordinal", r => r.GetInt64(0));

    public Task<List<StreamSummary>> ReadModelAsync() => ListAsync(
        $"SELECT stream_id, event_count, last_version, last_position FROM {Schema}.stream_summary ORDER BY stream_id",
        r => new StreamSummary(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)));

    /// <summary>The read model computed straight from the committed events: what the projection must converge to.</summary>
    public Task<List<StreamSummary>> ExpectedReadModelAsync(long upTo = long.MaxValue) => ListAsync(
        $"SELECT stream_id, count(*), max(stream_version), max(global_position) FROM {Schema}.events WHERE global_position <= $1 GROUP BY stream_id ORDER BY stream_id",
        r => new StreamSummary(r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3)),
        upTo);

    /// <summary>Waits until the stored checkpoint reaches the highest committed position.</summary>
    public async Task WaitUntilCaughtUpAsync(string name = StreamSummaryProjection.DefaultName)
    {
        var head = await HeadAsync();
        await Eventually.WaitAsync(async () => await CheckpointAsync(name) >= head, CatchUpTimeout, $"projection '{name}' to reach position {head}");
    }

    /// <summary>Every committed event applied once, in global order, and the read model equal to the events'.</summary>
    public async Task AssertExactlyOnceInOrderAsync()
    {
        var committed = await CommittedPositionsAsync();
        var applied = await AppliedPositionsAsync();
        Assert.Equal(applied.Count, applied.Distinct().Count());
        Assert.Equal(committed, applied);
        Assert.Equal(await ExpectedReadModelAsync(), await ReadModelAsync());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var daemon in _daemons)
        {
            await daemon.StopAsync(CancellationToken.None);
            daemon.Dispose();
        }

        foreach (var dataSource in _dataSources)
        {
            await dataSource.DisposeAsync();
        }

        await Database.DisposeAsync();
    }

    private async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    private async Task<List<T>> ListAsync<T>(string sql, Func<NpgsqlDataReader, T> map, params object[] parameters)
    {
        await using var command = Database.DataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.AddWithValue(parameter);
        }

        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
