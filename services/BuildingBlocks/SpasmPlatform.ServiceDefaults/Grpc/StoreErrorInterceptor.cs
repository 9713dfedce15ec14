using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Grpc.Interceptors;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Turns the event store's expected failures into the gRPC statuses clients can act on: a concurrency conflict is
/// ABORTED (re-read, then retry with the new version), conflicting event ids ALREADY_EXISTS. Anything else stays
/// an unexpected exception (UNKNOWN, logged).
/// </summary>
public sealed class StoreErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex) is { } mapped)
        {
            throw mapped;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex) is { } mapped)
        {
            throw mapped;
        }
    }

    public static RpcException? Map(Exception exception) => exception switch
    {
        ConcurrencyException concurrency => new RpcException(new Status(
            StatusCode.Aborted,
            $"{concurrency.StreamId} was changed by someone else (expected version {concurrency.Expected}); read it again and retry.")),
        EventIdConflictException conflict => new RpcException(new Status(
            StatusCode.AlreadyExists,
            $"{conflict.StreamId}: these event ids were already used for different events.")),
        _ => null,
    };
}
