using System.Collections.Concurrent;
using SpasmPlatform.Contracts.Calling;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>
/// Knowledge versions fetched from the knowledge service. A version's content never changes once published, so
/// each is fetched once; a failed fetch is forgotten, so the next message retries it.
/// </summary>
internal sealed class KnowledgeCache(KnowledgeService.KnowledgeServiceClient client)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<KnowledgeBase>>> _versions = new(StringComparer.Ordinal);

    public async Task<KnowledgeBase> GetAsync(string version, CancellationToken cancellationToken)
    {
        var entry = _versions.GetOrAdd(version, v => new Lazy<Task<KnowledgeBase>>(() => FetchAsync(v)));
        try
        {
            return await entry.Value.WaitAsync(cancellationToken);
        }
        catch when (entry.Value.IsFaulted || entry.Value.IsCanceled)
        {
            _versions.TryRemove(new KeyValuePair<string, Lazy<Task<KnowledgeBase>>>(version, entry));
            throw;
        }
    }

    // Not tied to one caller's token: other callers may be waiting on the same fetch.
    private async Task<KnowledgeBase> FetchAsync(string version) =>
        await client.GetKnowledgeBaseAsync(new GetKnowledgeBaseRequest { Version = version }, new global::Grpc.Core.CallOptions(deadline: DateTime.UtcNow.AddSeconds(30)));
}
