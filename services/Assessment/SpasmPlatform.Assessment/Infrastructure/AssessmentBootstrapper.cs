using MassTransit;
using Npgsql;
using Microsoft.Extensions.Options;
using SpasmPlatform.EventStore;
using Grpc.Core;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// Gets the service ready without blocking the host: creates the read model once PostgreSQL answers, then loads the
/// knowledge service's current version once it answers. Until both are done the service reports NOT_SERVING and
/// submissions are UNAVAILABLE: it never triages without rules. The bus is up first, so a version announced while
/// the current one loads is not missed.
/// </summary>
internal sealed partial class AssessmentBootstrapper(
    MartenEventStore store,
    NpgsqlDataSource dataSource,
    AssessmentReadModel readModel,
    ClinicalNotesVault notesVault,
    KnowledgeCatalog knowledge,
    IBusControl bus,
    IOptions<KnowledgeServiceOptions> options,
    ILogger<AssessmentBootstrapper> logger) : BackgroundService
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private volatile bool _storageReady;

    public bool IsReady => _storageReady && knowledge.Current is not null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await RetryAsync(PrepareStorageAsync, "storage", stoppingToken).ConfigureAwait(false);
        _storageReady = true;
        await RetryAsync(WaitForBusAsync, "message bus", stoppingToken).ConfigureAwait(false);
        await RetryAsync(knowledge.LoadCurrentAsync, "knowledge service", stoppingToken).ConfigureAwait(false);

        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await knowledge.LoadCurrentAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is KnowledgeUnavailableException or RpcException && !stoppingToken.IsCancellationRequested)
            {
                RefreshFailed(logger, ex.Message);
            }
        }
    }

    private async Task RetryAsync(Func<CancellationToken, Task> step, string what, CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await step(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or KnowledgeUnavailableException or RpcException && !stoppingToken.IsCancellationRequested)
            {
                NotYet(logger, what, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
            }
        }
    }

    private Task WaitForBusAsync(CancellationToken stoppingToken) =>
        bus.CheckHealth().Status == BusHealthStatus.Healthy
            ? Task.CompletedTask
            : throw new TimeoutException("the bus and its receive endpoints are not connected yet");

    private async Task PrepareStorageAsync(CancellationToken stoppingToken)
    {
        await store.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
        await notesVault.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(stoppingToken).ConfigureAwait(false);
        // Two instances starting together would race on CREATE ... IF NOT EXISTS.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = $"{readModel.Schema}.assessment_read_model" });
            await lockCommand.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand(readModel.CreateSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(stoppingToken).ConfigureAwait(false);
    }

    [LoggerMessage(1, LogLevel.Warning, "The {What} is not ready yet; retrying in {Seconds} s: {Reason}")]
    private static partial void NotYet(ILogger logger, string what, double seconds, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Could not refresh the current knowledge version; keeping the one loaded: {Reason}")]
    private static partial void RefreshFailed(ILogger logger, string reason);
}
