using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Schema;

namespace SpasmPlatform.EventStore;

public static class EventStoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers the store on the host's NpgsqlDataSource. Its schema is created or migrated in the background at
    /// start-up, retried until PostgreSQL answers; until then the "event-store" health check keeps the host NOT_SERVING.
    /// </summary>
    public static IServiceCollection AddEventStore(this IServiceCollection services, Action<EventStoreOptions> configure)
    {
        var options = new EventStoreOptions();
        configure(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(sp => new MartenEventStore(sp.GetRequiredService<NpgsqlDataSource>(), options));
        // Marten's store, for what the narrow interface does not cover (documents, the projection daemon).
        services.AddSingleton<Marten.IDocumentStore>(sp => sp.GetRequiredService<MartenEventStore>().Marten);
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<MartenEventStore>());
        services.AddSingleton(sp => new IntegrityVerifier(sp.GetRequiredService<NpgsqlDataSource>(), options.Schema));
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<IStoreReadiness>(sp => sp.GetRequiredService<SchemaMigrator>());
        services.AddHostedService(sp => sp.GetRequiredService<SchemaMigrator>());
        services.AddHealthChecks().AddCheck<SchemaReadinessCheck>("event-store", tags: ["ready"]);
        services.AddHostedService<AsyncDaemonHost>();
        return services;
    }
}
