using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SpasmPlatform.Grpc.RateLimiting;

public static class GrpcRateLimitingExtensions
{
    /// <summary>
    /// One token bucket per caller (<see cref="ICallerPartitionKey"/>) over every gRPC call, answered with
    /// RESOURCE_EXHAUSTED when empty. Endpoints marked DisableRateLimiting (the health service) are never limited.
    /// Add <see cref="UseGrpcRateLimiting"/> to the pipeline.
    /// </summary>
    public static IServiceCollection AddGrpcRateLimiting(this IServiceCollection services, Action<GrpcRateLimitOptions>? configure = null)
    {
        services.AddOptions<GrpcRateLimitOptions>()
            .Validate(o => o.PermitsPerSecond >= 1 && o.Burst >= 1, "PermitsPerSecond and Burst must both be at least 1.");
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<ICallerPartitionKey, ConnectionCallerPartitionKey>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<ICallerPartitionKey, IOptions<GrpcRateLimitOptions>>((limiter, callers, options) =>
        {
            var limits = options.Value;
            var bucket = new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.Burst,
                TokensPerPeriod = limits.PermitsPerSecond,
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                // Queued calls would hold their streams and memory while the caller's deadline runs down; refusing at
                // once with a retry delay lets the caller decide.
                QueueLimit = 0,
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(
                context => RateLimitPartition.GetTokenBucketLimiter(callers.For(context), _ => bucket));
            limiter.OnRejected = RateLimitRejection.WriteAsync;
        });
        return services;
    }

    public static IApplicationBuilder UseGrpcRateLimiting(this IApplicationBuilder app) => app.UseRateLimiter();
}
