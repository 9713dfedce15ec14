namespace SpasmPlatform.Grpc.Protocol;

/// <summary>Messages sent on a stream; a write completes once the message is flushed to the transport.</summary>
public interface IAsyncStreamWriter<in T>
{
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}
