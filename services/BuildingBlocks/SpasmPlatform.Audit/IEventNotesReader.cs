using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.Audit;

/// <summary>
/// A service's way to open the sealed clinical notes its events carry, one reading per event (NotesReading.None for
/// events without notes), so that history entries show them in clear beside data_json, which stays as hashed.
/// </summary>
public interface IEventNotesReader
{
    Task<IReadOnlyList<NotesReading>> OpenAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken);
}
