using System.Collections.Concurrent;
using MassTransit;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>What a test consumer received, in arrival order.</summary>
public sealed class Deliveries<T>
    where T : class
{
    private readonly ConcurrentQueue<Delivery<T>> _received = new();

    public IReadOnlyList<Delivery<T>> All => [.. _received];

    public Task RecordAsync(ConsumeContext<T> context)
    {
        var headers = context.Headers.GetAll().ToDictionary(h => h.Key, h => (object?)h.Value, StringComparer.Ordinal);
        _received.Enqueue(new Delivery<T>(context.MessageId, context.Message, headers));
        return Task.CompletedTask;
    }

    /// <summary>Waits until every one of <paramref name="ids"/> has arrived (duplicates allowed).</summary>
    public Task WaitForAsync(IReadOnlyCollection<Guid> ids, TimeSpan timeout) =>
        Eventually.WaitAsync(
            () => ids.All(new HashSet<Guid>(_received.Select(d => d.MessageId ?? Guid.Empty)).Contains),
            timeout,
            $"{ids.Count} messages to arrive (have {_received.Count})");
}
