using System.Reflection;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Interceptors;
using SpasmPlatform.Grpc.Protocol;
using ProtoMethodDescriptor = Google.Protobuf.Reflection.MethodDescriptor;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace SpasmPlatform.Grpc.Server;

/// <summary>
/// Matches every RPC of a proto service to a public method of the implementation, once, at start-up.
/// Reflection happens only here; calls run through delegates built from it.
/// </summary>
internal static class ServiceBinder
{
    public sealed record BoundMethod(ProtoMethodDescriptor Descriptor, string Path, RequestDelegate Handler);

    public static IReadOnlyList<BoundMethod> Bind<TService>(
        ProtoServiceDescriptor service, IServiceProvider services, IReadOnlyList<Interceptor> interceptors, GrpcServiceOptions options, ILogger logger)
        where TService : class
    {
        var activator = new ServiceActivator<TService>(services);
        var missing = new List<string>();
        var bound = new List<BoundMethod>();
        foreach (var rpc in service.Methods)
        {
            var implementation = FindImplementation(typeof(TService), rpc, out var expected);
            if (implementation is null)
            {
                missing.Add(expected);
                continue;
            }

            var bind = typeof(ServiceBinder).GetMethod(nameof(BindMethod), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(typeof(TService), rpc.InputType.ClrType, rpc.OutputType.ClrType);
            var handler = (RequestDelegate)bind.Invoke(null, [rpc, implementation, activator, interceptors, options, logger])!;
            bound.Add(new BoundMethod(rpc, $"/{service.FullName}/{rpc.Name}", handler));
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"{typeof(TService).Name} does not implement every RPC of {service.FullName}. Missing: {string.Join("; ", missing)}");
        }

        return bound;
    }

    private static MethodInfo? FindImplementation(Type serviceType, ProtoMethodDescriptor rpc, out string expected)
    {
        var request = rpc.InputType.ClrType;
        var response = rpc.OutputType.ClrType;
        var (parameters, returns) = MethodTypes.Of(rpc) switch
        {
            MethodType.Unary => (new[] { request, typeof(ServerCallContext) }, typeof(Task<>).MakeGenericType(response)),
            MethodType.ClientStreaming => (new[] { typeof(IAsyncStreamReader<>).MakeGenericType(request), typeof(ServerCallContext) }, typeof(Task<>).MakeGenericType(response)),
            MethodType.ServerStreaming => (new[] { request, typeof(IServerStreamWriter<>).MakeGenericType(response), typeof(ServerCallContext) }, typeof(Task)),
            _ => (new[] { typeof(IAsyncStreamReader<>).MakeGenericType(request), typeof(IServerStreamWriter<>).MakeGenericType(response), typeof(ServerCallContext) }, typeof(Task)),
        };
        expected = $"{FriendlyName(returns)} {rpc.Name}({string.Join(", ", parameters.Select(FriendlyName))})";
        var method = serviceType.GetMethod(rpc.Name, BindingFlags.Public | BindingFlags.Instance, parameters);
        return method is not null && method.ReturnType == returns ? method : null;
    }

    private static RequestDelegate BindMethod<TService, TRequest, TResponse>(
        ProtoMethodDescriptor rpc, MethodInfo implementation, ServiceActivator<TService> activator,
        IReadOnlyList<Interceptor> interceptors, GrpcServiceOptions options, ILogger logger)
        where TService : class
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var method = Protocol.Method<TRequest, TResponse>.FromDescriptor(rpc);
        var pipeline = method.Type switch
        {
            MethodType.Unary => new ServerMethodPipeline<TRequest, TResponse>(
                Unary: ServerPipelineBuilder.Unary(implementation.CreateDelegate<Func<TService, TRequest, ServerCallContext, Task<TResponse>>>(), activator, interceptors)),
            MethodType.ClientStreaming => new ServerMethodPipeline<TRequest, TResponse>(
                ClientStreaming: ServerPipelineBuilder.ClientStreaming(implementation.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, ServerCallContext, Task<TResponse>>>(), activator, interceptors)),
            MethodType.ServerStreaming => new ServerMethodPipeline<TRequest, TResponse>(
                ServerStreaming: ServerPipelineBuilder.ServerStreaming(implementation.CreateDelegate<Func<TService, TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(), activator, interceptors)),
            _ => new ServerMethodPipeline<TRequest, TResponse>(
                DuplexStreaming: ServerPipelineBuilder.Duplex(implementation.CreateDelegate<Func<TService, IAsyncStreamReader<TRequest>, IServerStreamWriter<TResponse>, ServerCallContext, Task>>(), activator, interceptors)),
        };
        return new ServerMethodHandler<TRequest, TResponse>(method, pipeline, options, logger).HandleAsync;
    }

    private static string FriendlyName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`')]}<{string.Join(", ", type.GetGenericArguments().Select(FriendlyName))}>"
        : type.Name;
}
