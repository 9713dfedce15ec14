using Google.Protobuf;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>Reads streamed responses one by one; the last MoveNext reads the trailers and reports the status.</summary>
internal sealed class HttpResponseStreamReader<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private int _reading;
    private TResponse? _current;

    public TResponse Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext and check that it returned true.");

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _reading, 1) == 1)
        {
            throw new InvalidOperationException("Can't read the next message because the previous read is still in progress.");
        }

        try
        {
            _current = await call.ReadNextAsync(cancellationToken).ConfigureAwait(false);
            return _current is not null;
        }
        catch
        {
            _current = null;
            throw;
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }
}
