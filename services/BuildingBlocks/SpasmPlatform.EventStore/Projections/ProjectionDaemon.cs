using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// Keeps asynchronous projections up to date: one loop per projection, each applying events in global order after
/// its checkpoint, never passing a position a still-running transaction may fill, never stalling on one a rolled-back
/// transaction left empty (see <see cref="ProjectionRunner"/>). Across processes, one instance runs each projection,
/// chosen by a PostgreSQL advisory lock; the others stand by and take over when it goes away.
/// </summary>
public sealed class ProjectionDaemon(PostgresEventStore store, IEnumerable<IAsyncProjection> projections, ProjectionDaemonOptions options, ILogger<ProjectionDaemon> logger)
    : BackgroundService
{
    private readonly Dictionary<string, ProjectionAgent> _agents = CreateAgents(store, projections, options, logger);

    public IReadOnlyList<ProjectionStatus> Statuses => [.. _agents.Values.Select(a => a.Status)];

    public ProjectionStatus GetStatus(string projectionName) => Agent(projectionName).Status;

    /// <summary>
    /// Clears the projection's read model and checkpoint and applies every event again, returning once it has caught
    /// up with the events committed when the reset was made. Running it again gives the same read model. Cancelling
    /// stops the call but not the rebuild: the next rebuild call, or the instance running the projection, continues
    /// it from its stored checkpoint. Works whether or not this daemon has been started.
    /// </summary>
    public Task RebuildAsync(string projectionName, CancellationToken cancellationToken = default) =>
        Agent(projectionName).RebuildAsync(cancellationToken);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_agents.Values.Select(agent => agent.RunAsync(stoppingToken)));

    private static Dictionary<string, ProjectionAgent> CreateAgents(
        PostgresEventStore store, IEnumerable<IAsyncProjection> projections, ProjectionDaemonOptions options, ILogger logger)
    {
        options.Validate();
        var agents = new Dictionary<string, ProjectionAgent>(StringComparer.Ordinal);
        foreach (var projection in projections)
        {
            if (string.IsNullOrWhiteSpace(projection.Name))
            {
                throw new ArgumentException($"{projection.GetType().Name} has no name; the name keys its checkpoint.", nameof(projections));
            }

            // Two projections sharing a name would share a checkpoint and each skip the other's events.
            if (!agents.TryAdd(projection.Name, new ProjectionAgent(store, projection, options, logger)))
            {
                throw new ArgumentException($"Two asynchronous projections are named '{projection.Name}'.", nameof(projections));
            }
        }

        return agents;
    }

    private ProjectionAgent Agent(string projectionName) =>
        _agents.TryGetValue(projectionName, out var agent)
            ? agent
            : throw new ArgumentException($"No asynchronous projection named '{projectionName}' is registered with this daemon.", nameof(projectionName));
}
