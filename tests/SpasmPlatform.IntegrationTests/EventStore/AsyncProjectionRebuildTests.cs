using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// Rebuilds: from nothing, over a large store with gaps, twice in a row, cancelled half-way and continued, and
/// requested on an instance that does not run the projection.
/// </summary>
[Collection(AsyncProjectionCollection.Name)]
public sealed class AsyncProjectionRebuildTests : ProjectionTestBase
{
    private const string Name = StreamSummaryProjection.DefaultName;

    [Fact]
    public async Task Rebuild_of_an_empty_store_finishes_and_leaves_a_projection_that_follows_new_events()
    {
        var projection = H.NewProjection();
        var daemon = H.NewDaemon(projection);

        await daemon.RebuildAsync(Name, Deadline());

        Assert.Equal(0, await H.CheckpointAsync());
        Assert.Empty(await H.ReadModelAsync());
        Assert.False(await H.IsRebuildPendingAsync());
        Assert.Equal(0, projection.EventsHandled);

        await daemon.StartAsync(CancellationToken.None);
        await H.AppendAsync("patient-1", 4);
        await H.AppendAsync("patient-2", 2);
        await H.WaitUntilCaughtUpAsync();
        await H.AssertExactlyOnceInOrderAsync();
    }

    [Fact]
    public async Task Rebuild_of_a_large_store_equals_the_incremental_projection_and_running_it_twice_changes_nothing()
    {
        var rolledBack = await H.SeedAsync(totalEvents: 20_000);
        Assert.True(rolledBack > 0);
        var projection = H.NewProjection();
        var daemon = await H.StartDaemonAsync(projection, ProjectionHarness.FastOptions(batchSize: 500));
        await H.WaitUntilCaughtUpAsync();
        var incremental = await H.ReadModelAsync();
        var committed = (await H.CommittedPositionsAsync()).Count;
        Assert.Equal(20_000, committed);
        Assert.Equal(committed, projection.EventsHandled);
        await H.AssertExactlyOnceInOrderAsync();

        // The daemon keeps running: the rebuild takes the projection over from it and hands it back.
        await daemon.RebuildAsync(Name, Deadline());
        Assert.Equal(incremental, await H.ReadModelAsync());
        Assert.Equal(2 * committed, projection.EventsHandled);
        await H.AssertExactlyOnceInOrderAsync();

        await daemon.RebuildAsync(Name, Deadline());
        Assert.Equal(incremental, await H.ReadModelAsync());
        Assert.Equal(3 * committed, projection.EventsHandled);
        await H.AssertExactlyOnceInOrderAsync();
        Assert.False(await H.IsRebuildPendingAsync());

        // And it follows new events again afterwards.
        await H.AppendAsync("patient-after-rebuild", 3);
        await H.WaitUntilCaughtUpAsync();
        await H.AssertExactlyOnceInOrderAsync();
    }

    [Fact]
    public async Task Cancelled_rebuild_is_continued_by_the_next_rebuild_from_its_checkpoint()
    {
        var (incremental, projection, daemon, checkpoint, handledAtCancel) = await CancelRebuildHalfWayAsync();

        await daemon.RebuildAsync(Name, Deadline());

        Assert.Equal(incremental, await H.ReadModelAsync());
        await H.AssertExactlyOnceInOrderAsync();
        Assert.False(await H.IsRebuildPendingAsync());
        // Continued, not restarted: only the events after the cancelled rebuild's checkpoint were applied again.
        var remaining = (await H.CommittedPositionsAsync()).Count(p => p > checkpoint);
        Assert.Equal(handledAtCancel + remaining, projection.EventsHandled);
    }

    [Fact]
    public async Task Cancelled_rebuild_is_finished_by_the_daemon_from_its_checkpoint()
    {
        var (incremental, projection, daemon, checkpoint, handledAtCancel) = await CancelRebuildHalfWayAsync();

        await daemon.StartAsync(CancellationToken.None);
        await Eventually.WaitAsync(async () => !await H.IsRebuildPendingAsync(), ProjectionHarness.CatchUpTimeout, "the daemon to finish the rebuild");
        await H.WaitUntilCaughtUpAsync();

        Assert.Equal(incremental, await H.ReadModelAsync());
        await H.AssertExactlyOnceInOrderAsync();
        var remaining = (await H.CommittedPositionsAsync()).Count(p => p > checkpoint);
        Assert.Equal(handledAtCancel + remaining, projection.EventsHandled);
    }

    [Fact]
    public async Task Rebuild_requested_where_the_projection_is_not_running_is_carried_out_by_the_instance_running_it()
    {
        await H.SeedAsync(totalEvents: 3_000);
        var running = H.NewProjection();
        await H.StartDaemonAsync(running);
        await H.WaitUntilCaughtUpAsync();
        var committed = (await H.CommittedPositionsAsync()).Count;

        var standby = H.NewProjection();
        var standbyDaemon = await H.StartDaemonAsync(standby);
        Assert.False(standbyDaemon.GetStatus(Name).IsRunning);

        await standbyDaemon.RebuildAsync(Name, Deadline());

        Assert.False(await H.IsRebuildPendingAsync());
        Assert.Equal(0, standby.EventsHandled);
        Assert.Equal(2 * committed, running.EventsHandled);
        await H.AssertExactlyOnceInOrderAsync();
    }

    private static CancellationToken Deadline() => new CancellationTokenSource(ProjectionHarness.CatchUpTimeout).Token;

    /// <summary>
    /// Seeds a store, projects it incrementally (the reference result), then starts a rebuild on a daemon that is not
    /// running and cancels it during its sixth batch, which therefore rolls back (batches stop short at gaps, so five
    /// batches are at most five times the batch size). Checks what a cancelled rebuild leaves:
    /// a request still pending and a read model that is exactly the events up to the stored checkpoint.
    /// </summary>
    private async Task<(List<StreamSummary> Incremental, StreamSummaryProjection Projection, ProjectionDaemon Daemon, long Checkpoint, long HandledAtCancel)> CancelRebuildHalfWayAsync()
    {
        await H.SeedAsync(totalEvents: 5_000, rollbackEvery: 10);
        var reference = await H.StartDaemonAsync(H.NewProjection());
        await H.WaitUntilCaughtUpAsync();
        var incremental = await H.ReadModelAsync();
        await reference.StopAsync(CancellationToken.None);

        const int batchSize = 200;
        var projection = H.NewProjection();
        var daemon = H.NewDaemon(projection, ProjectionHarness.FastOptions(batchSize));
        using var cancel = new CancellationTokenSource();
        projection.AfterWrite = (batch, token) =>
        {
            if (batch == 6)
            {
                cancel.Cancel();
                token.ThrowIfCancellationRequested();
            }

            return Task.CompletedTask;
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => daemon.RebuildAsync(Name, cancel.Token));
        projection.AfterWrite = null;

        var checkpoint = await H.CheckpointAsync();
        var committedUpTo = (await H.CommittedPositionsAsync()).Where(p => p <= checkpoint).ToList();
        Assert.True(await H.IsRebuildPendingAsync());
        Assert.InRange(committedUpTo.Count, 1, 5 * batchSize);
        Assert.True(checkpoint < await H.HeadAsync());
        Assert.Equal(committedUpTo, await H.AppliedPositionsAsync());
        Assert.Equal(await H.ExpectedReadModelAsync(checkpoint), await H.ReadModelAsync());
        // The sixth batch was handled but rolled back with its checkpoint.
        Assert.True(projection.EventsHandled > committedUpTo.Count);
        return (incremental, projection, daemon, checkpoint, projection.EventsHandled);
    }
}
