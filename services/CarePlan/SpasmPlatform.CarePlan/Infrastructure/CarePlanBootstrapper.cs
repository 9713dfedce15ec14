using Npgsql;
using SpasmPlatform.EventStore;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>
/// Creates the event store schema and the read model once PostgreSQL answers, without blocking the host. Until then
/// the service reports NOT_SERVING, its RPCs answer UNAVAILABLE and consumers wait (see <see cref="WhenReadyAsync"/>),
/// so no message fails merely because the service started before its database.
/// </summary>
internal sealed partial class CarePlanBootstrapper(
    MartenEventStore store,
    NpgsqlDataSource dataSource,
    CarePlanReadModel readModel,
    SpasmPlatform.Privacy.ClinicalNotesVault notesVault,
    ILogger<CarePlanBootstrapper> logger) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    public Task WhenReadyAsync(CancellationToken cancellationToken) => _ready.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await PrepareStorageAsync(stoppingToken).ConfigureAwait(false);
                _ready.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                NotYet(logger, delay.TotalSeconds, ex.Message);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task PrepareStorageAsync(CancellationToken stoppingToken)
    {
        await store.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
        await notesVault.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(stoppingToken).ConfigureAwait(false);
        // Two instances starting together would race on CREATE ... IF NOT EXISTS.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = readModel.Table });
            await lockCommand.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand(readModel.CreateSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(stoppingToken).ConfigureAwait(false);
    }

    [LoggerMessage(1, LogLevel.Warning, "Care-plan storage is not ready yet; retrying in {Seconds} s: {Reason}")]
    private static partial void NotYet(ILogger logger, double seconds, string reason);
}
