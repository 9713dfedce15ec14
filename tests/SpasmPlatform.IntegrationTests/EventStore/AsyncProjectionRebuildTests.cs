using Xunit.Abstractions;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>Rebuilds with Marten's API: from nothing, over a store with gaps, twice in a row, and past an open transaction.</summary>
[Collection(AsyncProjectionCollection.Name)]
public sealed class AsyncProjectionRebuildTests(ITestOutputHelper output) : ProjectionTestBase(output)
{
    [Fact]
    public async Task Rebuild_of_an_empty_store_finishes_and_leaves_a_projection_that_follows_new_events()
    {
        var node = H.NewNode();
        var daemon = await node.BuildDaemonAsync();
        using var deadline = new CancellationTokenSource(ProjectionHarness.CatchUpTimeout);

        await daemon.RebuildProjectionAsync(StreamSummaryProjection.Name, ProjectionHarness.CatchUpTimeout, deadline.Token);

        Assert.Equal(0, await H.ProgressAsync());
        Assert.Empty(await H.ReadModelAsync());
        Assert.Equal(0, node.Projection.EventsHandled);

        await daemon.StartAllAsync();
        await H.AppendAsync("patient-1", 4);
        await H.AppendAsync("patient-2", 2);
        await H.WaitUntilCaughtUpAsync();
        await H.AssertExactlyOnceInOrderAsync();
    }

    [Fact]
    public async Task Rebuild_equals_the_incremental_projection_and_running_it_twice_changes_nothing()
    {
        var rolledBack = await H.SeedAsync(transactions: 200);
        Assert.True(rolledBack > 0);
        var node = await H.StartNodeAsync();
        await H.WaitUntilCaughtUpAsync();
        var incremental = await H.ReadModelAsync();
        var committed = (await H.CommittedSequencesAsync()).Count;
        Assert.Equal(4_000, committed);
        Assert.Equal(committed, node.Projection.EventsHandled);
        await H.AssertExactlyOnceInOrderAsync();

        for (var rebuild = 1; rebuild <= 2; rebuild++)
        {
            await ProjectionHarness.RebuildAsync(node);

            // Every event replayed once more, into tables Marten emptied first (else the log would hold duplicates).
            Assert.Equal((rebuild + 1) * committed, node.Projection.EventsHandled);
            Assert.Equal(incremental, await H.ReadModelAsync());
            await H.AssertExactlyOnceInOrderAsync();
        }

        await H.AppendAsync("patient-after-rebuild", 3);
        await H.WaitUntilCaughtUpAsync();
        await H.AssertExactlyOnceInOrderAsync();
    }

    /// <summary>
    /// A rebuild first brings the high-water mark up to the committed events; a transaction holding a gap below them
    /// keeps it from getting there, so the rebuild waits (Marten gives up after five minutes and replays up to the
    /// gap), and replays the held events once they commit.
    /// </summary>
    [Fact]
    public async Task Rebuild_waits_for_an_open_transaction_and_loses_none_of_its_events()
    {
        await H.SeedAsync(transactions: 20, rollbackEvery: int.MaxValue);
        var node = await H.StartNodeAsync();
        await H.WaitUntilCaughtUpAsync();

        await using var held = await H.HoldOpenAsync("patient-held", 2, seenBy: node);
        for (var i = 0; i < 5; i++)
        {
            await H.AppendAsync($"patient-{i % 2}", 2);
        }

        var rebuild = ProjectionHarness.RebuildAsync(node);
        await ProjectionHarness.LetTheDaemonPollPastTheStaleThresholdAsync(node);
        Assert.False(rebuild.IsCompleted, "the rebuild finished while a transaction below the committed events was open");

        await held.CommitAsync();
        await rebuild.WaitAsync(ProjectionHarness.CatchUpTimeout);
        await H.WaitUntilCaughtUpAsync();
        await H.AssertExactlyOnceInOrderAsync();
    }
}
