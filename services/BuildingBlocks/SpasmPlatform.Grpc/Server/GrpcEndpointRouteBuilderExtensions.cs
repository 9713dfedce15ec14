using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SpasmPlatform.Grpc.Interceptors;

namespace SpasmPlatform.Grpc.Server;

public static class GrpcEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Serves every RPC of <typeparamref name="TService"/>'s proto service at "/package.Service/Method".
    /// Throws at start-up when an RPC has no implementation.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class, IGrpcService
    {
        var services = endpoints.ServiceProvider;
        var registry = services.GetService<GrpcServiceRegistry>()
            ?? throw new InvalidOperationException("Call services.AddGrpc() before mapping gRPC services.");
        var options = services.GetRequiredService<IOptions<GrpcServiceOptions>>().Value;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger($"SpasmPlatform.Grpc.Server.{typeof(TService).Name}");
        var interceptors = options.Interceptors
            .Select(type => (Interceptor)ActivatorUtilities.GetServiceOrCreateInstance(services, type))
            .ToArray();

        var descriptor = TService.Descriptor;
        var bound = ServiceBinder.Bind<TService>(descriptor, services, interceptors, options, logger);
        registry.Add(descriptor);

        var builders = new List<IEndpointConventionBuilder>(bound.Count);
        foreach (var method in bound)
        {
            builders.Add(endpoints.MapPost(method.Path, method.Handler)
                .WithDisplayName($"gRPC - {method.Path}")
                .WithMetadata(new GrpcMethodMetadata(method.Descriptor)));
        }

        return new GrpcServiceEndpointConventionBuilder(builders);
    }
}
