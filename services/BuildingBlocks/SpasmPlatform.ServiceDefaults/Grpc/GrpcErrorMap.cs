using Grpc.Core;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Which exception becomes which gRPC status: the event store's and the audit's entries come from the shared
/// wiring, each service adds its own domain exceptions in its Extensions.cs (<c>services.AddGrpcErrors(...)</c>),
/// and <see cref="ErrorInterceptor"/> applies the one merged map to every call. The first entry whose type the
/// exception is (or derives from) wins; an exception no entry names stays unexpected (UNKNOWN, logged).
/// </summary>
public sealed class GrpcErrorMap
{
    private readonly List<(Type Type, Func<Exception, RpcException> ToStatus)> _entries = [];

    public GrpcErrorMap()
    {
        Map<ConcurrencyException>(concurrency => new RpcException(new Status(
            StatusCode.Aborted,
            $"{concurrency.StreamId} was changed by someone else (expected version {concurrency.Expected}); read it again and retry.")));
        Map<EventIdConflictException>(conflict => new RpcException(new Status(
            StatusCode.AlreadyExists,
            $"{conflict.StreamId}: these event ids were already used for different events.")));
        Map<KnowledgeUnavailableException>(StatusCode.Unavailable);
    }

    /// <summary>The exception's message becomes the status message.</summary>
    public GrpcErrorMap Map<TException>(StatusCode code)
        where TException : Exception =>
        Map<TException>(e => new RpcException(new Status(code, e.Message)));

    public GrpcErrorMap Map<TException>(Func<TException, RpcException> toStatus)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(toStatus);
        _entries.Add((typeof(TException), e => toStatus((TException)e)));
        return this;
    }

    /// <summary>
    /// The status for <paramref name="exception"/>, its message cut to <see cref="RichErrors.MaxText"/> (grpc-dotnet
    /// sends it as given, an exception's text can quote what a request carried, and past the peer's header limit the
    /// client would see UNAVAILABLE instead); a status a handler raised itself is only cut. Null: not ours to map.
    /// </summary>
    public RpcException? Translate(Exception exception)
    {
        if (exception is RpcException raised)
        {
            return raised.Status.Detail.Length > RichErrors.MaxText ? Cut(raised) : null;
        }

        foreach (var (type, toStatus) in _entries)
        {
            if (type.IsInstanceOfType(exception))
            {
                return Cut(toStatus(exception));
            }
        }

        return null;
    }

    private static RpcException Cut(RpcException status) =>
        status.Status.Detail.Length > RichErrors.MaxText
            ? new RpcException(new Status(status.StatusCode, RichErrors.Cut(status.Status.Detail)), status.Trailers)
            : status;
}
