using System.IO.Pipelines;
using Google.Protobuf;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

/// <summary>Request messages of a client- or duplex-streaming call, read as they arrive.</summary>
internal sealed class HttpRequestStreamReader<T>(HttpServerCall call, PipeReader body, MessageParser<T> parser) : IAsyncStreamReader<T>
    where T : class, IMessage<T>
{
    private T? _current;

    public T Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken)
            : null;
        _current = await MessageFraming.ReadMessageAsync(
            body, parser, call.MaxReceiveMessageSize, call.RequestEncoding, linked?.Token ?? call.CancellationToken).ConfigureAwait(false);
        return _current is not null;
    }
}
