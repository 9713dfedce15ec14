using Grpc.Core;
using Grpc.Core.Interceptors;
using SpasmPlatform.ServiceDefaults.Startup;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// UNAVAILABLE for the service's own RPCs until <see cref="ServiceStartup"/> is done (a client retries it; the
/// platform's clients do so by policy). Health and reflection answer throughout: a probe must see NOT_SERVING, not
/// an error.
/// </summary>
public sealed class ReadinessInterceptor(ServiceInfo service, ServiceStartup startup) : Interceptor
{
    private readonly HashSet<string> _gated = [.. service.GrpcServices];

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ThrowIfStarting(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ThrowIfStarting(context);
        return continuation(request, responseStream, context);
    }

    private void ThrowIfStarting(ServerCallContext context)
    {
        if (!startup.IsReady && _gated.Contains(ServiceName(context.Method)))
        {
            throw new RpcException(new Status(StatusCode.Unavailable, startup.NotReadyMessage));
        }
    }

    /// <summary>"/package.Service/Method" → "package.Service".</summary>
    private static string ServiceName(string method)
    {
        var slash = method.IndexOf('/', 1);
        return slash > 1 ? method[1..slash] : method;
    }
}
