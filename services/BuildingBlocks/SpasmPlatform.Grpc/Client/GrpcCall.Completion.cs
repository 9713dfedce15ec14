using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

internal sealed partial class GrpcCall<TRequest, TResponse>
{
    // Timer due times are limited to about 49.7 days; a later deadline is reached by re-arming.
    private static readonly TimeSpan MaxTimerDueTime = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    internal void Cancel(string detail) => Complete(CallOutcome.Of(StatusCode.Cancelled, detail));

    /// <summary>Ends the call once; later attempts to end it are ignored. Returns false if it had already ended.</summary>
    private bool Complete(CallOutcome outcome, TResponse? response = null)
    {
        HttpResponseMessage? httpResponse;
        lock (_lock)
        {
            if (_outcome is not null)
            {
                return false;
            }

            _outcome = outcome;
            httpResponse = _httpResponse;
        }

        var ok = outcome.Status.StatusCode == StatusCode.OK;
        _channel.RemoveActiveCall(this);
        _deadlineTimer?.Dispose();
        _cancellationRegistration.Dispose();
        if (ok)
        {
            _content?.CompleteRequest();
        }
        else
        {
            // Cancelling aborts a pending SendAsync or body read and disposing the response resets a stream still
            // open: either way the server gets RST_STREAM and stops working on a call nobody waits for.
            _callCts.Cancel();
            _content?.Abort();
        }

        httpResponse?.Dispose();
        ClientLog.CallFinished(_channel.Logger, Method.FullName, outcome.Status.StatusCode, outcome.Status.Detail);

        if (ok)
        {
            _responseHeaders.TrySetResult(new Metadata());
        }
        else
        {
            _responseHeaders.TrySetException(outcome.ToException());
        }

        _responseBody.TrySetResult(null);
        if (_response is not null)
        {
            if (ok && response is not null)
            {
                _response.TrySetResult(response);
            }
            else
            {
                _response.TrySetException(outcome.ToException());
            }
        }

        _completion.TrySetResult(outcome.Status);
        return true;
    }

    private CallOutcome OutcomeOf(Exception exception)
    {
        if (Outcome is { } existing)
        {
            // The call was already ended (cancelled, deadline, disposed); the failure is only a consequence.
            return existing;
        }

        if (exception is RpcException rpc)
        {
            return new CallOutcome(rpc.Status, rpc.Trailers, rpc.RichStatus);
        }

        var deadlinePassed = _deadline <= DateTime.UtcNow;
        if (exception is OperationCanceledException && _callCts.IsCancellationRequested)
        {
            return deadlinePassed
                ? CallOutcome.Of(StatusCode.DeadlineExceeded, "Deadline exceeded.")
                : CallOutcome.Of(StatusCode.Cancelled, "Call canceled.");
        }

        return new CallOutcome(TransportErrors.ToStatus(exception, deadlinePassed), new Metadata());
    }

    private void OnDeadlineTimer()
    {
        var remaining = _deadline!.Value - DateTime.UtcNow;
        if (remaining > TimeSpan.Zero)
        {
            try
            {
                _deadlineTimer?.Change(TimerDueTime(remaining), Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                // The call ended meanwhile.
            }

            return;
        }

        OnDeadlineExceeded();
    }

    private void OnDeadlineExceeded()
    {
        if (Complete(CallOutcome.Of(StatusCode.DeadlineExceeded, "Deadline exceeded.")))
        {
            ClientLog.DeadlineExceeded(_channel.Logger, Method.FullName);
        }
    }

    private static TimeSpan TimerDueTime(TimeSpan remaining)
    {
        if (remaining > MaxTimerDueTime)
        {
            return MaxTimerDueTime;
        }

        // Rounded up so the timer never fires a fraction of a millisecond early and has to be re-armed.
        return TimeSpan.FromMilliseconds(Math.Ceiling(remaining.TotalMilliseconds));
    }
}
