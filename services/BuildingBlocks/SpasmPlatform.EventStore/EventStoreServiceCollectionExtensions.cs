using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using SpasmPlatform.EventStore.Integrity;

namespace SpasmPlatform.EventStore;

public static class EventStoreServiceCollectionExtensions
{
    /// <summary>Registers the store on the host's NpgsqlDataSource; its schema is created or migrated at start-up.</summary>
    public static IServiceCollection AddEventStore(this IServiceCollection services, Action<EventStoreOptions> configure)
    {
        var options = new EventStoreOptions();
        configure(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(sp => new PostgresEventStore(sp.GetRequiredService<NpgsqlDataSource>(), options));
        services.AddSingleton<IEventStore>(sp => sp.GetRequiredService<PostgresEventStore>());
        services.AddSingleton(sp => new IntegrityVerifier(sp.GetRequiredService<NpgsqlDataSource>(), options.Schema));
        services.AddHostedService<SchemaMigrator>();
        return services;
    }

    private sealed class SchemaMigrator(PostgresEventStore store) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => store.EnsureSchemaAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
