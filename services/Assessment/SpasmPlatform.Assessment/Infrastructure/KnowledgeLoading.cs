using Grpc.Core;
using Microsoft.Extensions.Options;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.ServiceDefaults.Startup;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>The service never triages without rules: it is ready only once a knowledge version is loaded.</summary>
internal sealed class KnowledgeLoadStep(KnowledgeCatalog knowledge) : IStartupStep
{
    public string Name => "the knowledge service";

    public Task RunAsync(CancellationToken cancellationToken) => knowledge.LoadCurrentAsync(cancellationToken);

    public bool IsTransient(Exception exception) => exception is KnowledgeUnavailableException or RpcException;
}

/// <summary>
/// Announcements of a new version reach each instance over the bus; this poll covers one missed while the bus was
/// away. A failed refresh keeps the version loaded: triage goes on with the rules it has.
/// </summary>
internal sealed partial class KnowledgeRefresher(
    KnowledgeCatalog knowledge,
    ServiceStartup startup,
    IOptions<KnowledgeServiceOptions> options,
    ILogger<KnowledgeRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await startup.WhenReadyAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await knowledge.LoadCurrentAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is KnowledgeUnavailableException or RpcException && !stoppingToken.IsCancellationRequested)
            {
                RefreshFailed(logger, ex.Message);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Could not refresh the current knowledge version; keeping the one loaded: {Reason}")]
    private static partial void RefreshFailed(ILogger logger, string reason);
}
