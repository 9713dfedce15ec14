using JasperFx;
using JasperFx.Events.Daemon;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.Logging;
using Npgsql;
using SpasmPlatform.EventStore;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// One process of a service: a Marten store of its own with the projection registered, on which a test runs Marten's
/// daemon directly or its HotCold <see cref="ProjectionCoordinator"/> (what a service host runs).
/// </summary>
public sealed class ProjectionNode(NpgsqlDataSource dataSource, MartenEventStore store, StreamSummaryProjection projection, ILoggerFactory logging)
    : IAsyncDisposable
{
    private bool _disposed;

    public MartenEventStore Store { get; } = store;

    public StreamSummaryProjection Projection { get; } = projection;

    public IProjectionDaemon? Daemon { get; private set; }

    public ProjectionCoordinator? Coordinator { get; private set; }

    /// <summary>The daemon doing this node's work, whichever way it was started.</summary>
    public IProjectionDaemon RunningDaemon =>
        Daemon ?? Coordinator?.DaemonForMainDatabase() ?? throw new InvalidOperationException("Nothing was started on this node.");

    /// <summary>True while this node's daemon has the projection's agent running (with HotCold: this node leads).</summary>
    public bool IsRunningProjection =>
        (Daemon is not null || Coordinator is not null)
        && RunningDaemon.CurrentAgents().Any(a => a.Name.Identity == StreamSummaryProjection.Shard.Identity && a.Status == AgentStatus.Running);

    /// <summary>Marten's daemon for this store, built but not started (no leader election: it runs what it is told).</summary>
    public async Task<IProjectionDaemon> BuildDaemonAsync()
    {
        Daemon = await Store.Marten.BuildProjectionDaemonAsync(logger: logging.CreateLogger("Daemon"));
        return Daemon;
    }

    public async Task StartDaemonAsync()
    {
        var daemon = await BuildDaemonAsync();
        await daemon.StartAllAsync();
    }

    public async Task StopDaemonAsync()
    {
        if (Daemon is { } daemon)
        {
            Daemon = null;
            await daemon.StopAllAsync();
            daemon.Dispose();
        }
    }

    public async Task StartCoordinatorAsync()
    {
        Coordinator = new ProjectionCoordinator(Store.Marten, logging.CreateLogger<ProjectionCoordinator>());
        await Coordinator.StartAsync(CancellationToken.None);
    }

    /// <summary>What a host does at shutdown: stops the agents and releases the leadership lock.</summary>
    public async Task StopCoordinatorAsync()
    {
        if (Coordinator is { } coordinator)
        {
            Coordinator = null;
            await coordinator.StopAsync(CancellationToken.None);
            await coordinator.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopDaemonAsync();
        await StopCoordinatorAsync();
        await Store.DisposeAsync();
        await dataSource.DisposeAsync();
    }
}
