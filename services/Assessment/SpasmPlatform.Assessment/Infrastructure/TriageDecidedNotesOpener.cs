using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// The outbox keeps TriageDecided with its notes sealed (rows stay after sending); just before the relay publishes it,
/// the notes are opened into the submission the care-plan service drafts from. Notes erased in the meantime travel
/// as none, flagged, so the receiver never gets what was erased.
/// </summary>
internal sealed class TriageDecidedNotesOpener(ClinicalNotesVault vault) : IOutboxMessageOpener
{
    public Type MessageType => typeof(Integration.TriageDecided);

    public async Task<object> OpenAsync(object message, CancellationToken cancellationToken)
    {
        var decided = (Integration.TriageDecided)message;
        if (decided.SealedClinicalNotes.Length == 0)
        {
            return decided;
        }

        var reading = await vault.OpenAsync(
            new SealedNotesRef(decided.ClinicId, decided.PatientRef, decided.AssessmentId, decided.SealedClinicalNotes), cancellationToken);
        var submission = ProtoJson.Parse<SubmitAssessmentRequest>(decided.SubmissionJson);
        submission.ClinicalNotes = reading.Text;
        return decided with
        {
            SubmissionJson = ProtoJson.Format(submission),
            SealedClinicalNotes = string.Empty,
            ClinicalNotesErased = reading.Erased,
        };
    }
}
