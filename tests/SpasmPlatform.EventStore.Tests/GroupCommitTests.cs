using System.Collections.Concurrent;

namespace SpasmPlatform.EventStore.Tests;

/// <summary>The batching and error isolation of group commits, with a handler in memory standing for the transaction.</summary>
public sealed class GroupCommitTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Calls_that_arrive_while_a_batch_commits_share_the_next_batch()
    {
        var batches = new ConcurrentQueue<int[]>();
        using var firstEntered = new SemaphoreSlim(0);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var commit = new GroupCommit<int, int>(
            async (batch, _) =>
            {
                batches.Enqueue([.. batch.Select(r => r.Item)]);
                if (batches.Count == 1)
                {
                    firstEntered.Release();
                    await releaseFirst.Task;
                }

                foreach (var request in batch)
                {
                    request.Complete(request.Item * 10);
                }
            },
            maxBatch: 64,
            writers: 1);

        var first = commit.RunAsync(0, CancellationToken.None);
        Assert.True(await firstEntered.WaitAsync(Patience));
        // Queued behind the first batch's "commit": they must go together.
        var rest = Enumerable.Range(1, 20).Select(i => commit.RunAsync(i, CancellationToken.None)).ToArray();
        releaseFirst.SetResult();

        Assert.Equal(0, await first.WaitAsync(Patience));
        Assert.Equal(Enumerable.Range(1, 20).Select(i => i * 10), await Task.WhenAll(rest).WaitAsync(Patience));
        Assert.Equal([[0], [.. Enumerable.Range(1, 20)]], batches.ToArray());
    }

    [Fact]
    public async Task A_failing_call_fails_alone_and_the_others_of_its_batch_are_written_again_each_by_itself()
    {
        var attempts = new ConcurrentQueue<int[]>();
        using var gate = new SemaphoreSlim(0);
        await using var commit = new GroupCommit<int, string>(
            async (batch, _) =>
            {
                attempts.Enqueue([.. batch.Select(r => r.Item)]);
                await gate.WaitAsync();
                if (batch.Any(r => r.Item == 3))
                {
                    // As a transaction would: nothing of the batch is settled when it fails.
                    throw new InvalidOperationException("item 3 is bad");
                }

                foreach (var request in batch)
                {
                    request.Complete($"ok {request.Item}");
                }
            },
            maxBatch: 64,
            writers: 1);

        var blocker = commit.RunAsync(0, CancellationToken.None);
        // The first batch holds only the blocker: the others queue while it "commits".
        Assert.True(SpinWait.SpinUntil(() => !attempts.IsEmpty, Patience));
        var calls = Enumerable.Range(1, 5).Select(i => commit.RunAsync(i, CancellationToken.None)).ToArray();
        gate.Release(100);

        Assert.Equal("ok 0", await blocker.WaitAsync(Patience));
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => calls[2].WaitAsync(Patience));
        Assert.Equal("item 3 is bad", failed.Message);
        foreach (var i in new[] { 1, 2, 4, 5 })
        {
            Assert.Equal($"ok {i}", await calls[i - 1].WaitAsync(Patience));
        }

        Assert.Equal([[0], [1, 2, 3, 4, 5], [1], [2], [3], [4], [5]], attempts.ToArray());
    }

    [Fact]
    public async Task A_call_the_handler_leaves_unanswered_fails_instead_of_waiting_forever()
    {
        await using var commit = new GroupCommit<int, int>((_, _) => Task.CompletedTask, maxBatch: 8, writers: 2);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => commit.RunAsync(1, CancellationToken.None).WaitAsync(Patience));
        Assert.Contains("unanswered", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_batch_is_larger_than_the_limit()
    {
        var sizes = new ConcurrentQueue<int>();
        using var gate = new SemaphoreSlim(0);
        await using var commit = new GroupCommit<int, int>(
            async (batch, _) =>
            {
                sizes.Enqueue(batch.Count);
                await gate.WaitAsync();
                foreach (var request in batch)
                {
                    request.Complete(request.Item);
                }
            },
            maxBatch: 4,
            writers: 1);

        var calls = Enumerable.Range(0, 13).Select(i => commit.RunAsync(i, CancellationToken.None)).ToArray();
        gate.Release(100);


        Assert.Equal(Enumerable.Range(0, 13), await Task.WhenAll(calls).WaitAsync(Patience));
        Assert.All(sizes, size => Assert.InRange(size, 1, 4));
        Assert.Equal(13, sizes.Sum());
    }

    [Fact]
    public async Task The_writers_do_not_inherit_the_async_locals_of_the_call_that_created_them()
    {
        var ambient = new AsyncLocal<string?> { Value = "first caller" };
        var seen = new ConcurrentQueue<string?>();
        await using var commit = new GroupCommit<int, int>(
            (batch, _) =>
            {
                seen.Enqueue(ambient.Value);
                foreach (var request in batch)
                {
                    request.Complete(0);
                }

                return Task.CompletedTask;
            },
            maxBatch: 8,
            writers: 1);

        await commit.RunAsync(1, CancellationToken.None).WaitAsync(Patience);

        Assert.Null(Assert.Single(seen));
    }
}
