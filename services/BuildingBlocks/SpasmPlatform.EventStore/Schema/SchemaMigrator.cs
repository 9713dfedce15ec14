using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace SpasmPlatform.EventStore.Schema;

/// <summary>
/// The one start-up path for a service's storage: Marten's tables, ours, and the tables the service keeps beside its
/// events (<see cref="EventStoreOptions.Tables"/>), under one advisory lock per schema, retried with back-off without
/// blocking the host: a database that is down at boot must leave the service up and reporting NOT_SERVING, not crash
/// it, and the migration completes once PostgreSQL returns.
/// </summary>
internal sealed partial class SchemaMigrator(MartenEventStore store, ILogger<SchemaMigrator> logger) : BackgroundService, IStoreReadiness
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public Task WhenReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await store.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
                _ready.TrySetResult();
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
