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
        // The hot path: an instance nobody has to dispose needs no wrapping state machine.
        UnaryServerMethod<TRequest, TResponse> pipeline = activator.OwnsInstances
            ? (request, context) => activator.RunAsync(context.GetHttpContext(), service => invoke(service, request, context))
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
        ClientStreamingServerMethod<TRequest, TResponse> pipeline = (requests, context) =>
            activator.RunAsync(context.GetHttpContext(), service => invoke(service, requests, context));
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
        ServerStreamingServerMethod<TRequest, TResponse> pipeline = (request, responses, context) =>
            activator.RunAsync(context.GetHttpContext(), service => invoke(service, request, responses, context));
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
        DuplexStreamingServerMethod<TRequest, TResponse> pipeline = (requests, responses, context) =>
            activator.RunAsync(context.GetHttpContext(), service => invoke(service, requests, responses, context));
        for (var i = interceptors.Count - 1; i >= 0; i--)
        {
            var interceptor = interceptors[i];
            var next = pipeline;
            pipeline = (requests, responses, context) => interceptor.DuplexStreamingServerHandler(requests, responses, context, next);
        }

        return pipeline;
    }
}
