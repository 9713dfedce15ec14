using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>The daemon's lifecycle: restarts, several instances of one projection, failing batches, host registration.</summary>
[Collection(AsyncProjectionCollection.Name)]
public sealed class AsyncProjectionDaemonTests : ProjectionTestBase
{
    private const string Name = StreamSummaryProjection.DefaultName;

    [Fact]
    public async Task Checkpoint_survives_a_restart_and_nothing_is_applied_twice()
    {
        var first = H.NewProjection();
        var daemon = await H.StartDaemonAsync(first);
        for (var i = 0; i < 10; i++)
        {
            await H.AppendAsync($"patient-{i % 4}", 3);
        }

        await H.WaitUntilCaughtUpAsync();
        await daemon.StopAsync(CancellationToken.None);
        var stoppedAt = await H.CheckpointAsync();
        Assert.Equal(30, first.EventsHandled);
        Assert.Equal(await H.HeadAsync(), stoppedAt);

        for (var i = 0; i < 5; i++)
        {
            await H.AppendAsync($"patient-{i % 3}", 4);
        }

        Assert.Equal(stoppedAt, await H.CheckpointAsync());
        var second = H.NewProjection();
        await H.StartDaemonAsync(second);
        await H.WaitUntilCaughtUpAsync();

        Assert.Equal(20, second.EventsHandled);
        Assert.Equal(30, first.EventsHandled);
        await H.AssertExactlyOnceInOrderAsync();
    }

    [Fact]
    public async Task One_instance_runs_a_projection_and_a_standby_takes_over_when_it_stops()
    {
        var projections = new[] { H.NewProjection(), H.NewProjection(), H.NewProjection() };
        var daemons = new List<ProjectionDaemon>();
        foreach (var projection in projections)
        {
            daemons.Add(await H.StartDaemonAsync(projection));
        }

        for (var i = 0; i < 20; i++)
        {
            await H.AppendAsync($"patient-{i % 5}", 2);
        }

        await H.WaitUntilCaughtUpAsync();
        await Eventually.WaitAsync(() => daemons.Count(d => d.GetStatus(Name).IsRunning) == 1, TimeSpan.FromSeconds(10), "exactly one daemon to run the projection");
        var leader = daemons.Single(d => d.GetStatus(Name).IsRunning);
        var leaderIndex = daemons.IndexOf(leader);
        Assert.Equal(40, projections[leaderIndex].EventsHandled);
        Assert.Equal(40, projections.Sum(p => p.EventsHandled));

        await leader.StopAsync(CancellationToken.None);
        for (var i = 0; i < 10; i++)
        {
            await H.AppendAsync($"patient-{i % 5}", 3);
        }

        await H.WaitUntilCaughtUpAsync();
        var survivors = daemons.Where(d => d != leader).ToList();
        Assert.Single(survivors, d => d.GetStatus(Name).IsRunning);
        Assert.Equal(70, projections.Sum(p => p.EventsHandled));
        await H.AssertExactlyOnceInOrderAsync();
    }

    [Fact]
    public async Task Failing_batch_rolls_back_with_its_checkpoint_and_is_applied_once_when_retried()
    {
        var projection = H.NewProjection();
        var failures = 0;
        projection.AfterWrite = (_, _) =>
        {
            // Fails twice after the read model rows are written: those writes must vanish with the checkpoint.
            if (Interlocked.Increment(ref failures) <= 2)
            {
                throw new InvalidOperationException("read model store unavailable");
            }

            return Task.CompletedTask;
        };
        for (var i = 0; i < 6; i++)
        {
            await H.AppendAsync($"patient-{i % 2}", 5);
        }

        var daemon = await H.StartDaemonAsync(projection);
        await H.WaitUntilCaughtUpAsync();

        Assert.Equal(3, Volatile.Read(ref failures));
        Assert.Equal(90, projection.EventsHandled);
        Assert.Null(daemon.GetStatus(Name).LastError);
        await H.AssertExactlyOnceInOrderAsync();
    }

    [Fact]
    public async Task AddAsyncProjection_registers_one_daemon_that_the_host_runs()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(H.Database.DataSource);
        services.AddEventStore(options => options.Schema = H.Schema);
        services.AddAsyncProjection<StreamSummaryProjection>(daemon => daemon.PollInterval = TimeSpan.FromMilliseconds(25));
        services.AddAsyncProjection<StreamSummaryProjection>();
        await using var provider = services.BuildServiceProvider();

        var hosted = provider.GetServices<IHostedService>().ToList();
        var daemon = provider.GetRequiredService<ProjectionDaemon>();
        Assert.Single(hosted, s => s is ProjectionDaemon);
        Assert.Same(daemon, hosted.OfType<ProjectionDaemon>().Single());
        Assert.Single(provider.GetServices<IAsyncProjection>());
        Assert.Equal(TimeSpan.FromMilliseconds(25), provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<ProjectionDaemonOptions>>().Value.PollInterval);

        // Hosted services start in registration order: the schema migrator, then the daemon.
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        try
        {
            await H.AppendAsync("patient-hosted", 5);
            await H.WaitUntilCaughtUpAsync();
            Assert.Equal(5, provider.GetRequiredService<StreamSummaryProjection>().EventsHandled);
            await H.AssertExactlyOnceInOrderAsync();
        }
        finally
        {
            foreach (var service in Enumerable.Reverse(hosted))
            {
                await service.StopAsync(CancellationToken.None);
            }
        }
    }

    [Fact]
    public void Two_projections_with_one_name_are_refused()
    {
        var store = new PostgresEventStore(H.Database.DataSource, new EventStoreOptions { Schema = H.Schema });
        var error = Assert.Throws<ArgumentException>(() => new ProjectionDaemon(
            store, [H.NewProjection(), H.NewProjection()], ProjectionHarness.FastOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger<ProjectionDaemon>.Instance));
        Assert.Contains(Name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Projection_lock_is_held_while_running_and_released_when_the_daemon_stops()
    {
        var daemon = await H.StartDaemonAsync(H.NewProjection());
        await Eventually.WaitAsync(() => daemon.GetStatus(Name).IsRunning, TimeSpan.FromSeconds(10), "the daemon to take the projection");
        Assert.Equal(1, await AdvisoryLocksHeldAsync());

        await daemon.StopAsync(CancellationToken.None);
        // A pooled connection keeps a session lock unless it is released explicitly before going back to the pool.
        Assert.Equal(0, await AdvisoryLocksHeldAsync());
    }

    private async Task<long> AdvisoryLocksHeldAsync()
    {
        await using var command = H.Database.DataSource.CreateCommand(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND ((classid::bigint << 32) | objid::bigint) = $1");
        command.Parameters.AddWithValue(ProjectionKey());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private long ProjectionKey()
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"spasm-projection:{H.Schema}:{Name}"));
        return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes);
    }
}
