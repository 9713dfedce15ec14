using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SpasmPlatform.EventStore.Schema;

/// <summary>
/// Migrates the store's schema at start-up without blocking the host: a database that is down at boot must leave
/// the service up and reporting NOT_SERVING, not crash it, and the migration completes once PostgreSQL returns.
/// </summary>
internal sealed partial class SchemaMigrator(MartenEventStore store, ILogger<SchemaMigrator> logger) : BackgroundService
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
                _ready = true;
                Migrated(logger, store.Schema);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                NotYet(logger, store.Schema, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Event store schema '{Schema}' is ready.")]
    private static partial void Migrated(ILogger logger, string schema);

    [LoggerMessage(2, LogLevel.Warning, "Event store schema '{Schema}' could not be migrated yet; retrying in {Seconds} s: {Reason}")]
    private static partial void NotYet(ILogger logger, string schema, double seconds, string reason);
}
