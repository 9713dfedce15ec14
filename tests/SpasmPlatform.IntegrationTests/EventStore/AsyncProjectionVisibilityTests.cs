using System.Diagnostics;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// The projection daemon against transactions that commit late or never: it must not pass a position a running
/// transaction holds, must not stall on one a rolled-back transaction left empty, and must apply every committed
/// event exactly once in global order.
/// </summary>
[Collection(AsyncProjectionCollection.Name)]
public sealed class AsyncProjectionVisibilityTests : ProjectionTestBase
{
    private static readonly TimeSpan StuckTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Open_transaction_holds_the_projection_back_and_once_committed_every_event_is_applied_once_in_order()
    {
        var daemon = await H.StartDaemonAsync(H.NewProjection());
        await H.AppendAsync("patient-a", 3);
        await H.WaitUntilCaughtUpAsync();

        await using var held = await H.Store.OpenSessionAsync();
        var heldPosition = (await held.AppendAsync("patient-held", "patient", ExpectedVersion.Any, ProjectionHarness.Events(2))).Positions[0];
        for (var i = 0; i < 5; i++)
        {
            await H.AppendAsync($"patient-{i % 2}", 2);
        }

        Assert.True(await H.HeadAsync() > heldPosition + 1, "later commits must sit above the held transaction's positions");

        await LetTheDaemonPollAsync(daemon);
        Assert.Equal(heldPosition - 1, await H.CheckpointAsync());
        Assert.Equal(Positions(1, heldPosition - 1), await H.AppliedPositionsAsync());
        Assert.Equal(heldPosition, daemon.GetStatus(StreamSummaryProjection.DefaultName).WaitingFor);

        await held.CommitAsync();
        await H.WaitUntilCaughtUpAsync();
        await H.AssertExactlyOnceInOrderAsync();

        // The status is the daemon's in-memory view, updated just after the checkpoint commits: wait for it, bounded.
        await Eventually.WaitAsync(
            () => daemon.GetStatus(StreamSummaryProjection.DefaultName).WaitingFor is null,
            TimeSpan.FromSeconds(10),
            "the daemon to stop waiting for the committed transaction");
    }

    [Fact]
    public async Task Rolled_back_transaction_leaves_a_gap_the_projection_passes_without_stalling()
    {
        var daemon = await H.StartDaemonAsync(H.NewProjection());
        await H.AppendAsync("patient-a", 2);
        await H.WaitUntilCaughtUpAsync();

        await using var held = await H.Store.OpenSessionAsync();
        var heldPosition = (await held.AppendAsync("patient-held", "patient", ExpectedVersion.Any, ProjectionHarness.Events(3))).Positions[0];
        for (var i = 0; i < 4; i++)
        {
            await H.AppendAsync($"patient-{i % 3}", 2);
        }

        await LetTheDaemonPollAsync(daemon);
        Assert.Equal(heldPosition - 1, await H.CheckpointAsync());
        Assert.Equal(heldPosition, daemon.GetStatus(StreamSummaryProjection.DefaultName).WaitingFor);

        var clock = Stopwatch.StartNew();
        await held.Transaction.RollbackAsync();
        await H.WaitUntilCaughtUpAsync();
        clock.Stop();

        // Passing the gap takes a poll or two (25 ms each) once no older transaction is running anywhere in the cluster.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the projection took {clock.Elapsed} to pass a rolled-back gap");
        var committed = await H.CommittedPositionsAsync();
        Assert.DoesNotContain(heldPosition, committed);
        Assert.Contains(heldPosition + 3, committed);
        await H.AssertExactlyOnceInOrderAsync();
    }

    /// <summary>
    /// The case a plain "tx_id &lt; xmin, order by position" reader gets wrong: the early transaction takes its xid first
    /// but one of its positions last. Once it commits, its row above the late transaction's position has a tx_id below
    /// xmin, yet the late transaction still holds the position beneath it.
    /// </summary>
    [Fact]
    public async Task Transaction_that_took_its_xid_first_but_its_position_last_does_not_let_the_projection_skip_ahead()
    {
        var daemon = await H.StartDaemonAsync(H.NewProjection());

        await using var early = await H.Store.OpenSessionAsync();
        var first = (await early.AppendAsync("patient-early-1", "patient", ExpectedVersion.Any, [ProjectionHarness.Event()])).Positions[0];
        await using var late = await H.Store.OpenSessionAsync();
        var held = (await late.AppendAsync("patient-late", "patient", ExpectedVersion.Any, [ProjectionHarness.Event()])).Positions[0];
        var last = (await early.AppendAsync("patient-early-2", "patient", ExpectedVersion.Any, [ProjectionHarness.Event()])).Positions[0];

        Assert.True(first < held && held < last);
        Assert.True(await XidAsync(early.Connection, early.Transaction) < await XidAsync(late.Connection, late.Transaction));

        await early.CommitAsync();
        await LetTheDaemonPollAsync(daemon);
        Assert.Equal(first, await H.CheckpointAsync());
        Assert.Equal([first], await H.AppliedPositionsAsync());
        Assert.Equal(held, daemon.GetStatus(StreamSummaryProjection.DefaultName).WaitingFor);

        await late.CommitAsync();
        await H.WaitUntilCaughtUpAsync();
        Assert.Equal([first, held, last], await H.AppliedPositionsAsync());
        await H.AssertExactlyOnceInOrderAsync();
    }

    [Fact]
    public async Task Concurrent_appends_with_random_rollbacks_are_all_applied_exactly_once_in_global_order()
    {
        const int writers = 6;
        const int transactionsPerWriter = 60;
        const int streams = 30;

        // Streams exist up front: two writers creating the same stream at once is a concurrency error by design.
        for (var s = 0; s < streams; s++)
        {
            await H.AppendAsync($"patient-{s}");
        }

        await H.StartDaemonAsync(H.NewProjection(), ProjectionHarness.FastOptions(batchSize: 50));

        var rolledBack = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
        {
            var random = new Random(1000 + writer);
            for (var t = 0; t < transactionsPerWriter; t++)
            {
                // Several appends per transaction, so xid order and position order disagree between writers.
                // Streams in ascending order: sessions lock stream rows in one order and so never deadlock.
                var targets = Enumerable.Range(0, random.Next(1, 4)).Select(_ => random.Next(streams)).Distinct().Order().ToList();
                await using var session = await H.Store.OpenSessionAsync();
                foreach (var target in targets)
                {
                    await session.AppendAsync($"patient-{target}", "patient", ExpectedVersion.Any, ProjectionHarness.Events(random.Next(1, 4)));
                }

                if (random.Next(4) == 0)
                {
                    await session.Transaction.RollbackAsync();
                    Interlocked.Increment(ref rolledBack);
                }
                else
                {
                    await session.CommitAsync();
                }
            }
        })));

        await H.WaitUntilCaughtUpAsync();
        Assert.True(rolledBack > 0);
        Assert.True((await H.CommittedPositionsAsync()).Count < await H.HeadAsync(), "rolled-back transactions must have left gaps");
        await H.AssertExactlyOnceInOrderAsync();
    }

    private static IEnumerable<long> Positions(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(p => (long)p);

    private static async Task<ulong> XidAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand("SELECT pg_current_xact_id()", connection, transaction);
        return (ulong)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Lets the daemon look for events several more times after the later events committed: enough for a reader that
    /// was going to skip ahead to have done so.
    /// </summary>
    private static async Task LetTheDaemonPollAsync(ProjectionDaemon daemon)
    {
        var pollsBefore = daemon.GetStatus(StreamSummaryProjection.DefaultName).Polls;
        await Eventually.WaitAsync(
            () => daemon.GetStatus(StreamSummaryProjection.DefaultName).Polls >= pollsBefore + 3, StuckTimeout, "the daemon to poll three more times");
    }
}
