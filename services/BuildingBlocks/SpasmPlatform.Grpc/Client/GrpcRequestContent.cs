using System.Net;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>
/// The request body. For a single request message it writes the framed bytes. For a request stream it hands the
/// transport stream to the writer and stays inside SerializeToStreamAsync until the writer completes: while it
/// runs, .NET keeps the HTTP/2 request open, which is what lets messages flow both ways at once.
/// Its length is never known up front, so no content-length is sent.
/// </summary>
internal sealed class GrpcRequestContent : HttpContent
{
    private readonly ReadOnlyMemory<byte>? _message;
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _requestCompleted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GrpcRequestContent(ReadOnlyMemory<byte>? message)
    {
        _message = message;
        Headers.TryAddWithoutValidation("Content-Type", GrpcProtocol.ContentType);
    }

    public static GrpcRequestContent ForMessage(ReadOnlyMemory<byte> framedMessage) => new(framedMessage);

    public static GrpcRequestContent ForStream() => new(null);

    /// <summary>The transport stream, once the request has started; cancelled if the call ends first.</summary>
    public Task<Stream> GetStreamAsync(CancellationToken cancellationToken) => _stream.Task.WaitAsync(cancellationToken);

    /// <summary>Ends the request stream cleanly: the transport sends END_STREAM.</summary>
    public void CompleteRequest() => _requestCompleted.TrySetResult();

    /// <summary>Releases a writer waiting for the stream and stops the body; the call is ending.</summary>
    public void Abort()
    {
        _stream.TrySetCanceled();
        _requestCompleted.TrySetCanceled();
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_message is { } message)
        {
            await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
            return;
        }

        _stream.TrySetResult(stream);
        await _requestCompleted.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
