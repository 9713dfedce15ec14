using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Audit;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.Assessment.Audit;

/// <summary>History entries of submissions get their notes opened beside data_json, which keeps the sealed form the hash covers.</summary>
internal sealed class AssessmentHistoryNotes(AssessmentNotes notes) : IHistoryEventDecorator
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
