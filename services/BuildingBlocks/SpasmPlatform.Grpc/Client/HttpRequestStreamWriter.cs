using Google.Protobuf;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>
/// Writes request messages onto the live HTTP/2 request body. Each write is flushed, so the server sees the
/// message while the client goes on reading responses (full duplex). One write at a time, as in Grpc.Core.
/// </summary>
internal sealed class HttpRequestStreamWriter<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call, GrpcRequestContent content)
    : IClientStreamWriter<TRequest>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly Lock _lock = new();
    private bool _writing;
    private bool _completed;

    public async Task WriteAsync(TRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        lock (_lock)
        {
            if (_completed)
            {
                throw new InvalidOperationException("Can't write the message because the request stream is complete.");
            }

            if (_writing)
            {
                throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
            }

            _writing = true;
        }

        try
        {
            await WriteCoreAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _writing = false;
            }
        }
    }

    public Task CompleteAsync()
    {
        lock (_lock)
        {
            if (_writing)
            {
                return Task.FromException(new InvalidOperationException("Can't complete the request stream because a write is in progress."));
            }

            if (_completed)
            {
                return Task.CompletedTask;
            }

            _completed = true;
        }

        if (call.Outcome is { Status.StatusCode: not StatusCode.OK } outcome)
        {
            return Task.FromException(outcome.ToException());
        }

        content.CompleteRequest();
        return Task.CompletedTask;
    }

    private async Task WriteCoreAsync(TRequest message, CancellationToken cancellationToken)
    {
        if (call.Outcome is { } ended)
        {
            throw ended.Status.StatusCode == StatusCode.OK
                ? new InvalidOperationException("Can't write the message because the call is complete.")
                : ended.ToException();
        }

        // Serialization errors (a message over the send limit) concern this message only and leave the call running.
        var frame = call.SerializeRequest(message);

        // A write abandoned halfway would leave a partial frame on the stream, so cancelling a write cancels the call.
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((GrpcCall<TRequest, TResponse>)state!).Cancel("Call canceled by the client."), call)
            : default;
        try
        {
            var stream = await content.GetStreamAsync(call.CallToken).ConfigureAwait(false);
            await stream.WriteAsync(frame, call.CallToken).ConfigureAwait(false);
            await stream.FlushAsync(call.CallToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw await call.ResolveWriteFailureAsync(ex).ConfigureAwait(false);
        }
    }
}
