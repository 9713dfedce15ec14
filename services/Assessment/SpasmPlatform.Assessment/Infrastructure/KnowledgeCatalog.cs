using SpasmPlatform.Contracts.Versioning;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Contracts.Calling;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.Knowledge.V1;
using StatusCode = Grpc.Core.StatusCode;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// The knowledge versions this instance decides with. Published versions never change, so each is fetched from the
/// knowledge service once and kept; "current" (used for new submissions) only ever moves to a higher version, and
/// only after that version's content is in hand, so a submission never waits on the knowledge service.
/// </summary>
internal sealed partial class KnowledgeCatalog(KnowledgeService.KnowledgeServiceClient client, IOptions<KnowledgeServiceOptions> options, ILogger<KnowledgeCatalog> logger)
{
    private readonly ConcurrentDictionary<string, KnowledgeBase> _versions = new(StringComparer.Ordinal);
    private readonly Lock _switch = new();
    private volatile KnowledgeBase? _current;

    /// <summary>The version new submissions are triaged with; null until one is loaded.</summary>
    public KnowledgeBase? Current => _current;

    /// <summary>Asks the knowledge service for its current version and switches to it (if higher than ours).</summary>
    public async Task LoadCurrentAsync(CancellationToken cancellationToken)
    {
        var versions = await client.ListVersionsAsync(new ListVersionsRequest(), Options(cancellationToken));
        if (versions.CurrentVersion.Length == 0)
        {
            throw new KnowledgeUnavailableException("The knowledge service has no published version yet.");
        }

        await SwitchAsync(versions.CurrentVersion, expectedContentHash: null, cancellationToken);
    }

    /// <summary>
    /// Switches new submissions to <paramref name="version"/> when it is higher than the current one. Returns false
    /// when it is not higher, or when our knowledge service does not hold it with <paramref name="expectedContentHash"/>
    /// (an announcement from another deployment on the same broker).
    /// </summary>
    public async Task<bool> SwitchAsync(string version, string? expectedContentHash, CancellationToken cancellationToken)
    {
        if (!SemanticVersion.IsHigher(version, _current?.Manifest.Version))
        {
            return false;
        }

        KnowledgeBase knowledge;
        try
        {
            knowledge = await GetAsync(version, cancellationToken);
        }
        catch (KnowledgeUnavailableException e) when (e.InnerException is RpcException { StatusCode: StatusCode.NotFound })
        {
            Unknown(logger, version);
            return false;
        }

        if (expectedContentHash is not null && knowledge.ContentHash != expectedContentHash)
        {
            HashMismatch(logger, version, expectedContentHash, knowledge.ContentHash);
            return false;
        }

        lock (_switch)
        {
            // Announcements can arrive out of order or race the start-up load: never step back.
            if (!SemanticVersion.IsHigher(version, _current?.Manifest.Version))
            {
                return false;
            }

            var previous = _current?.Manifest.Version;
            _current = knowledge;
            Switched(logger, previous ?? "(none)", version, knowledge.RuleSet.Version);
            return true;
        }
    }

    /// <summary>One exact version, for decisions pinned to it.</summary>
    public async Task<KnowledgeBase> GetAsync(string version, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue(version, out var cached))
        {
            return cached;
        }

        try
        {
            var knowledge = await client.GetKnowledgeBaseAsync(new GetKnowledgeBaseRequest { Version = version }, Options(cancellationToken));
            if (knowledge.Manifest?.Version != version || knowledge.RuleSet is null)
            {
                throw new KnowledgeUnavailableException($"The knowledge service answered version '{knowledge.Manifest?.Version}' for '{version}'.");
            }

            return _versions.GetOrAdd(version, knowledge);
        }
        catch (RpcException e)
        {
            throw new KnowledgeUnavailableException($"Knowledge version {version} could not be loaded from {options.Value.Address}: {e.StatusCode} {e.Status.Detail}", e);
        }
    }

    private CallOptions Options(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + options.Value.CallTimeout, cancellationToken: cancellationToken);

    [LoggerMessage(1, LogLevel.Information, "New submissions now use knowledge version {Version} (rule set {RuleSetVersion}); was {Previous}.")]
    private static partial void Switched(ILogger logger, string previous, string version, string ruleSetVersion);

    [LoggerMessage(2, LogLevel.Warning, "Knowledge version {Version} was announced but our knowledge service does not hold it; ignored.")]
    private static partial void Unknown(ILogger logger, string version);

    [LoggerMessage(3, LogLevel.Warning, "Knowledge version {Version} was announced with content {Announced} but our knowledge service holds {Held}; ignored.")]
    private static partial void HashMismatch(ILogger logger, string version, string announced, string held);
}
