using SpasmPlatform.EventStore.Streams;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Innermost, around the handler: the event store's expected failures become the statuses clients can act on (a
/// concurrency conflict is ABORTED: re-read, then retry with the new version; conflicting event ids ALREADY_EXISTS),
/// and a status message a handler raised is cut to <see cref="RichErrors.MaxText"/> (grpc-dotnet sends it as given, an
/// exception's text can quote what a request carried, and past the peer's header limit the client would see
/// UNAVAILABLE instead of the status). Anything else stays an unexpected exception (UNKNOWN, logged).
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
            RichErrors.Cut($"{concurrency.StreamId} was changed by someone else (expected version {concurrency.Expected}); read it again and retry."))),
        EventIdConflictException conflict => new RpcException(new Status(
            StatusCode.AlreadyExists,
            RichErrors.Cut($"{conflict.StreamId}: these event ids were already used for different events."))),
        RpcException rpc when rpc.Status.Detail.Length > RichErrors.MaxText =>
            new RpcException(new Status(rpc.StatusCode, RichErrors.Cut(rpc.Status.Detail)), rpc.Trailers),
        _ => null,
    };
}
