using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.CarePlan.Audit;

/// <summary>History entries of drafts get the notes they were drafted with opened beside data_json (which stays sealed, as hashed).</summary>
internal sealed class CarePlanHistoryNotes(CarePlanNotes notes) : IHistoryEventDecorator
{
    public async Task DecorateAsync(IReadOnlyList<(StoredEvent Stored, HistoryEvent History)> page, CancellationToken cancellationToken)
    {
        var readings = await notes.OpenAsync([.. page.Select(p => p.Stored)], cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < page.Count; i++)
        {
            if (readings[i] != NotesReading.None)
            {
                page[i].History.ClinicalNotes = readings[i].Text;
                page[i].History.ClinicalNotesErased = readings[i].Erased;
            }
        }
    }
}
