using Microsoft.Extensions.Options;
using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.Knowledge.Domain;
using SpasmPlatform.Knowledge.Loading;

namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>
/// Gets the knowledge service ready without blocking the host: creates the read model once PostgreSQL answers,
/// then publishes the bundled content as a version (a no-op if already stored). Until then the service reports
/// NOT_SERVING and its RPCs answer UNAVAILABLE. Content that fails validation, or that reuses a published version
/// number with other content, stops the service: it must never serve rules nobody approved.
/// </summary>
internal sealed partial class KnowledgeBootstrapper(
    MartenEventStore store,
    NpgsqlDataSource dataSource,
    KnowledgeReadModel readModel,
    KnowledgeRepository repository,
    IOptions<KnowledgeOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<KnowledgeBootstrapper> logger) : BackgroundService
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsReady => _ready.Task.IsCompletedSuccessfully;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            try
            {
                await PrepareStorageAsync(stoppingToken).ConfigureAwait(false);
                if (options.Value.PublishBundledContent)
                {
                    await PublishBundledContentAsync(stoppingToken).ConfigureAwait(false);
                }

                _ready.TrySetResult();
                return;
            }
            catch (Exception ex) when (ex is KnowledgeValidationException or KnowledgeConflictException or DirectoryNotFoundException)
            {
                BadContent(logger, options.Value.ContentPath, ex.Message);
                lifetime.StopApplication();
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

    private async Task PublishBundledContentAsync(CancellationToken stoppingToken)
    {
        var files = KnowledgeLoader.ReadDirectory(options.Value.ContentPath);
        var knowledge = KnowledgeLoader.Load(files);
        var (version, duplicate) = await repository.PublishAsync(knowledge, files, "knowledge-service:bundled-content", $"startup-{Guid.NewGuid():N}", stoppingToken).ConfigureAwait(false);
        Published(logger, version.Version, version.ContentHash, duplicate);
    }

    private async Task PrepareStorageAsync(CancellationToken stoppingToken)
    {
        await store.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(stoppingToken).ConfigureAwait(false);
        // Two instances starting together would race on CREATE ... IF NOT EXISTS.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter { Value = $"{readModel.Schema}.knowledge_read_model" });
            await lockCommand.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        await using (var create = new NpgsqlCommand(readModel.CreateSql, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(stoppingToken).ConfigureAwait(false);
    }

    [LoggerMessage(1, LogLevel.Information, "Knowledge version {Version} ({Hash}) is published (already stored: {Duplicate}).")]
    private static partial void Published(ILogger logger, string version, string hash, bool duplicate);

    [LoggerMessage(2, LogLevel.Critical, "The bundled knowledge content at {Path} cannot be published; stopping. {Reason}")]
    private static partial void BadContent(ILogger logger, string path, string reason);

    [LoggerMessage(3, LogLevel.Warning, "Knowledge storage is not ready yet; retrying in {Seconds} s: {Reason}")]
    private static partial void NotYet(ILogger logger, double seconds, string reason);
}
