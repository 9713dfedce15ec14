using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.Grpc.Health;

public static class GrpcHealthExtensions
{
    /// <summary>Registers ASP.NET Core health checks and exposes them over grpc.health.v1.Health.</summary>
    public static IHealthChecksBuilder AddGrpcHealthChecks(this IServiceCollection services, Action<GrpcHealthOptions>? configure = null)
    {
        services.AddOptions<GrpcHealthOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<HealthStatusMonitor>();
        return services.AddHealthChecks();
    }

    /// <summary>Maps grpc.health.v1.Health, exempt from rate limiting: a throttled probe would take a busy but healthy instance out of service.</summary>
    public static GrpcServiceEndpointConventionBuilder MapGrpcHealthChecksService(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<HealthService>().DisableRateLimiting();
}
