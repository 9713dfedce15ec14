using Google.Protobuf;
using Polly;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>
/// An idempotent unary call made of one or more attempts (gRFC A6). An attempt is retried only when it ended
/// UNAVAILABLE before the server committed to it (no response headers, or Trailers-Only). The caller sees the
/// headers, response, status and trailers of the attempt that ended the call.
/// </summary>
internal sealed class RetryingUnaryCall<TRequest, TResponse> : IChannelCall
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcChannel _channel;
    private readonly ResiliencePipeline<IRetryableAttempt> _pipeline;
    private readonly Method<TRequest, TResponse> _method;
    private readonly string? _host;
    private readonly CallOptions _options;
    private readonly TRequest _request;
    private readonly DateTime? _deadline;

    // Cancels backoff waits only; each attempt watches the caller's token and deadline itself.
    private readonly CancellationTokenSource _backoffCts = new();
    private readonly TaskCompletionSource<Metadata> _headers = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<TResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private GrpcCall<TRequest, TResponse>? _current;
    private int _attempts;
    private bool _disposed;
    private bool _channelDisposed;
    private Func<Status>? _getStatus;
    private Func<Metadata>? _getTrailers;

    public RetryingUnaryCall(
        GrpcChannel channel,
        ResiliencePipeline<IRetryableAttempt> pipeline,
        Method<TRequest, TResponse> method,
        string? host,
        CallOptions options,
        TRequest request)
    {
        channel.ThrowIfDisposed();
        _channel = channel;
        _pipeline = pipeline;
        _method = method;
        _host = host;
        _options = options;
        _request = request;
        _deadline = GrpcCall<TRequest, TResponse>.EffectiveDeadline(options.Deadline);
        _headers.Task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        _ = RunAsync();
    }

    public Task<TResponse> ResponseAsync => _response.Task;

    public Task<Metadata> ResponseHeadersAsync => _headers.Task;

    public Status GetStatus()
    {
        lock (_lock)
        {
            return _getStatus?.Invoke() ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");
        }
    }

    public Metadata GetTrailers()
    {
        lock (_lock)
        {
            return _getTrailers?.Invoke() ?? throw new InvalidOperationException("Can't get the call trailers because the call has not completed.");
        }
    }

    public void Dispose() => Stop(channelDisposed: false);

    public void OnChannelDisposed() => Stop(channelDisposed: true);

    private void Stop(bool channelDisposed)
    {
        GrpcCall<TRequest, TResponse>? current;
        lock (_lock)
        {
            _disposed = true;
            _channelDisposed |= channelDisposed;
            current = _current;
        }

        _backoffCts.Cancel();
        if (channelDisposed)
        {
            current?.OnChannelDisposed();
        }
        else
        {
            current?.Dispose();
        }
    }

    private async Task RunAsync()
    {
        if (!_channel.TryAddActiveCall(this))
        {
            Finish(CallOutcome.Of(StatusCode.Cancelled, "The channel was disposed."));
            return;
        }

        try
        {
            await RunAttemptsAsync().ConfigureAwait(false);
        }
        finally
        {
            _channel.RemoveActiveCall(this);
        }
    }

    private async Task RunAttemptsAsync()
    {
        using var registration = _options.CancellationToken.UnsafeRegister(static state => ((RetryingUnaryCall<TRequest, TResponse>)state!)._backoffCts.Cancel(), this);
        if (_deadline is { } deadline)
        {
            var remaining = deadline - DateTime.UtcNow;
            if (remaining < TimeSpan.FromMilliseconds(int.MaxValue))
            {
                // Backoff never waits past the deadline: the wait is cut short and the call ends DEADLINE_EXCEEDED.
                _backoffCts.CancelAfter(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            }
        }

        var context = ResilienceContextPool.Shared.Get(_backoffCts.Token);
        try
        {
            var last = await _pipeline.ExecuteAsync(
                static async (_, self) => await self.RunAttemptAsync().ConfigureAwait(false),
                context,
                this).ConfigureAwait(false);
            await FinishAsync((GrpcCall<TRequest, TResponse>)last).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Finish(OutcomeOf(ex));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<IRetryableAttempt> RunAttemptAsync()
    {
        GrpcCall<TRequest, TResponse> attempt;
        bool disposed, channelDisposed;
        lock (_lock)
        {
            attempt = new GrpcCall<TRequest, TResponse>(_channel, _method, _host, _options, _attempts++);
            _current = attempt;
            disposed = _disposed;
            channelDisposed = _channelDisposed;
        }

        // Headers of a committed attempt reach the caller at once; that attempt is the last one anyway.
        _ = attempt.ResponseHeadersAsync.ContinueWith(
            (task, state) =>
            {
                if (task.IsCompletedSuccessfully && attempt.HeadersCommitted)
                {
                    ((TaskCompletionSource<Metadata>)state!).TrySetResult(task.Result);
                }
            },
            _headers,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        attempt.StartUnary(_request);
        if (channelDisposed)
        {
            attempt.OnChannelDisposed();
        }
        else if (disposed)
        {
            attempt.Dispose();
        }

        await attempt.Completion.ConfigureAwait(false);
        return attempt;
    }

    private async Task FinishAsync(GrpcCall<TRequest, TResponse> last)
    {
        lock (_lock)
        {
            _getStatus = last.GetStatus;
            _getTrailers = last.GetTrailers;
        }

        try
        {
            _headers.TrySetResult(await last.ResponseHeadersAsync.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            _headers.TrySetException(ex);
        }

        try
        {
            _response.TrySetResult(await last.ResponseAsync.ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            _response.TrySetException(ex);
        }
    }

    /// <summary>Ends the call without an attempt to speak for it: it was cancelled or timed out while backing off.</summary>
    private void Finish(CallOutcome outcome)
    {
        lock (_lock)
        {
            _getStatus = () => outcome.Status;
            _getTrailers = () => outcome.Trailers;
        }

        _headers.TrySetException(outcome.ToException());
        _response.TrySetException(outcome.ToException());
    }

    private CallOutcome OutcomeOf(Exception exception)
    {
        if (exception is ObjectDisposedException)
        {
            // The channel was disposed between two attempts, before it got to cancel this call.
            return CallOutcome.Of(StatusCode.Cancelled, "The channel was disposed.");
        }

        if (exception is OperationCanceledException)
        {
            bool disposed, channelDisposed;
            lock (_lock)
            {
                disposed = _disposed;
                channelDisposed = _channelDisposed;
            }

            if (disposed)
            {
                return CallOutcome.Of(StatusCode.Cancelled, channelDisposed ? "The channel was disposed." : "gRPC call disposed.");
            }

            // Only the caller's token, Dispose and the deadline cancel the backoff; the deadline is what is left.
            return _options.CancellationToken.IsCancellationRequested
                ? CallOutcome.Of(StatusCode.Cancelled, "Call canceled by the client.")
                : CallOutcome.Of(StatusCode.DeadlineExceeded, "Deadline exceeded.");
        }

        return CallOutcome.Of(StatusCode.Internal, $"Error in the gRPC call: {exception.GetType().Name}: {exception.Message}");
    }
}
