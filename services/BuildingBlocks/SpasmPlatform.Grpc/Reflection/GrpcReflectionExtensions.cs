using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.Grpc.Reflection;

public static class GrpcReflectionExtensions
{
    public static IServiceCollection AddGrpcReflection(this IServiceCollection services)
    {
        services.TryAddSingleton<ReflectionResolver>();
        return services;
    }

    /// <summary>Maps reflection v1alpha and v1. Map it after the services it should describe, or before: the index is built on first use.</summary>
    public static void MapGrpcReflectionService(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<ReflectionServiceV1Alpha>();
        endpoints.MapGrpcService<ReflectionServiceV1>();
    }
}
