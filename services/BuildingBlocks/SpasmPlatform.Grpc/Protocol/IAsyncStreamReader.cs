namespace SpasmPlatform.Grpc.Protocol;

/// <summary>Messages arriving on a stream, read one at a time.</summary>
public interface IAsyncStreamReader<out T>
{
    T Current { get; }

    /// <summary>Moves to the next message; false when the peer has finished sending.</summary>
    Task<bool> MoveNext(CancellationToken cancellationToken = default);
}
