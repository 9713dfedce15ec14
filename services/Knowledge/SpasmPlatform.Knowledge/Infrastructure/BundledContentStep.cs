using Microsoft.Extensions.Options;
using Npgsql;
using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.ServiceDefaults.Startup;

namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>
/// Publishes the bundled content as a version at start-up (a no-op if already stored). Content that fails
/// validation, or that reuses a published version number with other content, is not transient: the host stops,
/// since it must never serve rules nobody approved.
/// </summary>
internal sealed partial class BundledContentStep(
    KnowledgeRepository repository,
    IOptions<KnowledgeOptions> options,
    ILogger<BundledContentStep> logger) : IStartupStep
{
    public string Name => "the bundled knowledge content";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.PublishBundledContent)
        {
            return;
        }

        var files = KnowledgeLoader.ReadDirectory(options.Value.ContentPath);
        var knowledge = KnowledgeLoader.Load(files);
        var (version, duplicate) = await repository.PublishAsync(knowledge, files, "knowledge-service:bundled-content", $"startup-{Guid.NewGuid():N}", cancellationToken);
        Published(logger, version.Version, version.ContentHash, duplicate);
    }

    public bool IsTransient(Exception exception) => exception is NpgsqlException or TimeoutException;

    [LoggerMessage(1, LogLevel.Information, "Knowledge version {Version} ({Hash}) is published (already stored: {Duplicate}).")]
    private static partial void Published(ILogger logger, string version, string hash, bool duplicate);
}
