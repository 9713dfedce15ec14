using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SpasmPlatform.EventStore.Projections;

public static class AsyncProjectionServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TProjection"/> (a singleton) with the host's one <see cref="ProjectionDaemon"/>,
    /// which is added as a hosted service the first time. Needs <c>AddEventStore</c>; calling it twice for the same type
    /// registers the projection once.
    /// </summary>
    public static IServiceCollection AddAsyncProjection<TProjection>(this IServiceCollection services, Action<ProjectionDaemonOptions>? configureDaemon = null)
        where TProjection : class, IAsyncProjection
    {
        services.TryAddSingleton<TProjection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAsyncProjection, TProjection>(sp => sp.GetRequiredService<TProjection>()));
        if (configureDaemon is not null)
        {
            services.Configure(configureDaemon);
        }

        if (!services.Any(d => d.ServiceType == typeof(ProjectionDaemon)))
        {
            services.AddOptions<ProjectionDaemonOptions>();
            services.AddSingleton(sp => new ProjectionDaemon(
                sp.GetRequiredService<PostgresEventStore>(),
                sp.GetServices<IAsyncProjection>(),
                sp.GetRequiredService<IOptions<ProjectionDaemonOptions>>().Value,
                sp.GetRequiredService<ILogger<ProjectionDaemon>>()));
            // The same instance is the hosted service and the handle for RebuildAsync and statuses.
            services.AddHostedService(sp => sp.GetRequiredService<ProjectionDaemon>());
        }

        return services;
    }
}
