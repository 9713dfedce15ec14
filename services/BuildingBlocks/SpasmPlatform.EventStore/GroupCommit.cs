using System.Threading.Channels;

namespace SpasmPlatform.EventStore;

/// <summary>
/// Gathers work that arrives together so that it can be written in one transaction: the writes that queue while a
/// batch commits form the next batch, so no request waits for a timer, and at load each commit (and its WAL flush)
/// carries many requests instead of one. A few writers run at once so that one batch's commit overlaps the next one's
/// statements.
/// <para>
/// Error isolation: when a batch fails, each of its requests that the handler did not settle is tried again alone, so
/// one bad request fails by itself and never takes the others with it. The handler must therefore settle requests only
/// after its transaction committed, and a request's work must be safe to run again after a rollback.
/// </para>
/// No library offers this (MassTransit batches messages, not calls; Npgsql batches statements of one caller), hence here.
/// </summary>
public sealed class GroupCommit<TItem, TResult> : IAsyncDisposable
{
    private readonly Channel<Request> _queue = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleWriter = false });
    private readonly Func<IReadOnlyList<Request>, CancellationToken, Task> _commit;
    private readonly int _maxBatch;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _writers;

    /// <param name="commit">Writes a batch in one transaction, then settles each request (Complete or Fail).</param>
    /// <param name="maxBatch">At most this many requests per transaction.</param>
    /// <param name="writers">Batches in flight at once.</param>
    public GroupCommit(Func<IReadOnlyList<Request>, CancellationToken, Task> commit, int maxBatch, int writers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(writers, 1);
        _commit = commit;
        _maxBatch = maxBatch;
        // The writers serve every caller: none may inherit the async-locals (trace, caller) of the one that created them.
        using (ExecutionContext.SuppressFlow())
        {
            _writers = [.. Enumerable.Range(0, writers).Select(_ => Task.Run(WriteAsync))];
        }
    }

    /// <summary>
    /// Queues <paramref name="item"/> and waits for its result. A caller that gives up stops waiting, but its request
    /// may still be written: the work must be idempotent for a retry to be safe (ours are, by request id).
    /// </summary>
    public Task<TResult> RunAsync(TItem item, CancellationToken cancellationToken)
    {
        var request = new Request(item);
        if (!_queue.Writer.TryWrite(request))
        {
            throw new ObjectDisposedException(nameof(GroupCommit<TItem, TResult>), "The writer is stopping.");
        }

        return request.Result.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Queued requests are still written; the stopping token only cuts a writer that is stuck.
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_writers).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task WriteAsync()
    {
        var batch = new List<Request>(_maxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _maxBatch && _queue.Reader.TryRead(out var request))
            {
                batch.Add(request);
            }

            if (batch.Count > 0)
            {
                await CommitAsync(batch).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitAsync(List<Request> batch)
    {
        try
        {
            await _commit(batch, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception) when (batch.Count > 1)
        {
            foreach (var request in batch.Where(r => !r.IsSettled))
            {
                await CommitAsync([request]).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            batch[0].Fail(e);
        }

        foreach (var request in batch.Where(r => !r.IsSettled))
        {
            request.Fail(new InvalidOperationException("The batch handler left a request unanswered."));
        }
    }

    /// <summary>One queued call: its item, and the answer the batch handler gives it.</summary>
    public sealed class Request(TItem item)
    {
        private readonly TaskCompletionSource<TResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TItem Item { get; } = item;

        public bool IsSettled => _result.Task.IsCompleted;

        internal Task<TResult> Result => _result.Task;

        public void Complete(TResult result) => _result.TrySetResult(result);

        public void Fail(Exception error) => _result.TrySetException(error);
    }
}
