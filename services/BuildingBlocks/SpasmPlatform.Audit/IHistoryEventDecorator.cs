using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.Audit;

/// <summary>
/// Adds what a service derives from its events to their history entries before they are sent, one page at a time
/// (e.g. sealed clinical notes opened for the caller); data_json and the hashes are left exactly as stored.
/// </summary>
public interface IHistoryEventDecorator
{
    Task DecorateAsync(IReadOnlyList<(StoredEvent Stored, HistoryEvent History)> page, CancellationToken cancellationToken);
}
