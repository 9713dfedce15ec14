using Marten;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SpasmPlatform.EventStore.Schema;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// Runs Marten's projection coordinator for the store's asynchronous projections once the schema is migrated, in
/// HotCold mode: one instance of the service leads and runs them, the others stand by and take over when it stops.
/// The coordinator, not a bare daemon, so that an agent paused by a failing batch is restarted.
/// </summary>
internal sealed partial class AsyncDaemonHost(MartenEventStore store, SchemaMigrator migrator, ILoggerFactory logging) : BackgroundService
{
    private ProjectionCoordinator? _coordinator;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!((DocumentStore)store.Marten).Options.Projections.HasAnyAsyncProjections())
        {
            return;
        }

        await migrator.WhenReadyAsync(stoppingToken).ConfigureAwait(false);

        _coordinator = new ProjectionCoordinator(store.Marten, logging.CreateLogger<ProjectionCoordinator>());
        await _coordinator.StartAsync(stoppingToken).ConfigureAwait(false);
        Started(logging.CreateLogger<AsyncDaemonHost>(), store.Schema);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_coordinator is { } coordinator)
        {
            // Stops the agents and gives up the leadership lock, so a standby takes over at once.
            await coordinator.StopAsync(cancellationToken).ConfigureAwait(false);
            await coordinator.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Asynchronous projections of schema '{Schema}' are coordinated (HotCold).")]
    private static partial void Started(ILogger logger, string schema);
}
