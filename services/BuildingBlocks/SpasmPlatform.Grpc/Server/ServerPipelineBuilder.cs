using SpasmPlatform.Grpc.Interceptors;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

/// <summary>Composes interceptors (outermost first) around the call that resolves the service and runs its method.</summary>
internal static class ServerPipelineBuilder
{
    public static UnaryServerMethod<TRequest, TResponse> Unary<TService, TRequest, TResponse>(
        Func<TService, TRequest, ServerCallContext, Task<TResponse>> invoke, ServiceActivator<TService> activator, IReadOnlyList<Interceptor> interceptors)
        where TService : class where TRequest : class where TResponse : class
    {
        UnaryServerMethod<TRequest, TResponse> pipeline = activator.OwnsInstances
            ? async (request, context) =>
            {
                var service = activator.Create(context.GetHttpContext());
                try
                {
                    return await invoke(service, request, context).ConfigureAwait(false);
                }
                finally
                {
                    await ServiceActivator<TService>.ReleaseAsync(service).ConfigureAwait(false);
                }
            }
            : (request, context) => invoke(activator.Create(context.GetHttpContext()), request, context);
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var next = pipeline;
            pipeline = (request, context) => interceptor.UnaryServerHandler(request, context, next);
        }

        return pipeline;
    }

    public static ClientStreamingServerMethod<TRequest, TResponse> ClientStreaming<TService, TRequest, TResponse>(
        Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>> invoke, ServiceActivator<TService> activator, IReadOnlyList<Interceptor> interceptors)
        where TService : class where TRequest : class where TResponse : class
    {
        ClientStreamingServerMethod<TRequest, TResponse> pipeline = async (requests, context) =>
        {
            var service = activator.Create(context.GetHttpContext());
            try
            {
                return await invoke(service, requests, context).ConfigureAwait(false);
            }
            finally
            {
                if (activator.OwnsInstances)
                {
                    await ServiceActivator<TService>.ReleaseAsync(service).ConfigureAwait(false);
                }
            }
        };
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var next = pipeline;
            pipeline = (requests, context) => interceptor.ClientStreamingServerHandler(requests, context, next);
        }

        return pipeline;
    }

    public static ServerStreamingServerMethod<TRequest, TResponse> ServerStreaming<TService, TRequest, TResponse>(
        Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoke, ServiceActivator<TService> activator, IReadOnlyList<Interceptor> interceptors)
        where TService : class where TRequest : class where TResponse : class
    {
        ServerStreamingServerMethod<TRequest, TResponse> pipeline = async (request, responses, context) =>
        {
            var service = activator.Create(context.GetHttpContext());
            try
            {
                await invoke(service, request, responses, context).ConfigureAwait(false);
            }
            finally
            {
                if (activator.OwnsInstances)
                {
                    await ServiceActivator<TService>.ReleaseAsync(service).ConfigureAwait(false);
                }
            }
        };
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var next = pipeline;
            pipeline = (request, responses, context) => interceptor.ServerStreamingServerHandler(request, responses, context, next);
        }

        return pipeline;
    }

    public static DuplexStreamingServerMethod<TRequest, TResponse> Duplex<TService, TRequest, TResponse>(
        Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task> invoke, ServiceActivator<TService> activator, IReadOnlyList<Interceptor> interceptors)
        where TService : class where TRequest : class where TResponse : class
    {
        DuplexStreamingServerMethod<TRequest, TResponse> pipeline = async (requests, responses, context) =>
        {
            var service = activator.Create(context.GetHttpContext());
            try
            {
                await invoke(service, requests, responses, context).ConfigureAwait(false);
            }
            finally
            {
                if (activator.OwnsInstances)
                {
                    await ServiceActivator<TService>.ReleaseAsync(service).ConfigureAwait(false);
                }
            }
        };
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var next = pipeline;
            pipeline = (requests, responses, context) => interceptor.DuplexStreamingServerHandler(requests, responses, context, next);
        }

        return pipeline;
    }
}
