using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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

        MapUnimplemented(endpoints, registry);
        return new GrpcServiceEndpointConventionBuilder(builders);
    }

    /// <summary>Calls to services or methods this host does not serve get UNIMPLEMENTED rather than a bare 404.</summary>
    private static void MapUnimplemented(IEndpointRouteBuilder endpoints, GrpcServiceRegistry registry)
    {
        if (registry.UnimplementedRoutesMapped)
        {
            return;
        }

        registry.UnimplementedRoutesMapped = true;
        endpoints.MapPost("{unimplementedService}/{unimplementedMethod}", context =>
        {
            if (!Protocol.GrpcProtocol.IsGrpcContentType(context.Request.ContentType))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            if (!ProtocolGuard.Check(context))
            {
                return Task.CompletedTask;
            }

            var service = (string)context.Request.RouteValues["unimplementedService"]!;
            var detail = registry.Contains(service) ? "Method is unimplemented." : "Service is unimplemented.";
            context.Response.ContentType = Protocol.GrpcProtocol.ContentType;
            context.Response.Headers[Protocol.GrpcProtocol.StatusHeader] = ((int)Protocol.StatusCode.Unimplemented).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers[Protocol.GrpcProtocol.MessageHeader] = Protocol.PercentEncoding.Encode(detail);
            return Task.CompletedTask;
        }).WithDisplayName("gRPC - unimplemented");
    }
}
