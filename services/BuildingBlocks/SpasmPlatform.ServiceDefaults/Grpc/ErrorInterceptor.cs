using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Innermost, around the handler: the one place where the exceptions a handler lets through become statuses a client
/// can act on, through the service's <see cref="GrpcErrorMap"/>. Handlers throw their domain's exceptions and never
/// catch to translate.
/// </summary>
public sealed class ErrorInterceptor(IOptions<GrpcErrorMap> map) : Interceptor
{
    private readonly GrpcErrorMap _map = map.Value;

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (_map.Translate(ex) is { } mapped)
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
        catch (Exception ex) when (_map.Translate(ex) is { } mapped)
        {
            throw mapped;
        }
    }
}
