using Npgsql;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>
/// The care-plan service's copy of clinical notes: sealed with its own patient keys (its own schema), per key
/// generation of the assessment service, so an erasure there (ClinicalNotesErased) can destroy the matching keys here.
/// </summary>
internal sealed class CarePlanNotes(ClinicalNotesVault vault) : SpasmPlatform.Audit.IEventNotesReader
{
    /// <summary>
    /// Seals the notes of an incoming submission in the caller's transaction; null when there are none or this
    /// generation is already erased here (the erasure overtook the triage), and then the submission's notes are cleared.
    /// </summary>
    public async Task<string?> SealAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, SubmitAssessmentRequest submission, string assessmentId, int generation, CancellationToken cancellationToken)
    {
        if (submission.ClinicalNotes.Length == 0)
        {
            return null;
        }

        var key = await vault.Keys.ForGenerationAsync(connection, transaction, submission.ClinicId, submission.PatientRef, generation, cancellationToken);
        if (key is null)
        {
            submission.ClinicalNotes = string.Empty;
            return null;
        }

        return key.Seal(assessmentId, submission.ClinicalNotes).Format();
    }

    /// <summary>The notes a drafted event holds, opened.</summary>
    public Task<NotesReading> OpenAsync(CarePlanDrafted drafted, SubmitAssessmentRequest submission, CancellationToken cancellationToken) =>
        drafted.SealedClinicalNotes is { Length: > 0 } sealedNotes
            ? vault.OpenAsync(new SealedNotesRef(submission.ClinicId, submission.PatientRef, drafted.AssessmentId, sealedNotes), cancellationToken)
            : Task.FromResult(NotesReading.None);

    /// <summary>The notes of many events (None for those that are not drafts or hold no notes), with one key lookup.</summary>
    public Task<IReadOnlyList<NotesReading>> OpenAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken) =>
        vault.OpenAsync([.. events.Select(RefOf)], cancellationToken);

    /// <summary>The drafted event's submission with its notes opened into it.</summary>
    public async Task<(SubmitAssessmentRequest Submission, NotesReading Notes)> SubmissionAsync(CarePlanDrafted drafted, CancellationToken cancellationToken)
    {
        var submission = CarePlanEvents.ParseSubmission(drafted.SubmissionJson);
        var notes = await OpenAsync(drafted, submission, cancellationToken);
        if (notes != NotesReading.None)
        {
            submission.ClinicalNotes = notes.Text;
        }

        return (submission, notes);
    }

    private static SealedNotesRef RefOf(StoredEvent stored)
    {
        if (stored.EventType != CarePlanDrafted.EventType || stored.Data<CarePlanDrafted>() is not { SealedClinicalNotes: { Length: > 0 } sealedNotes } drafted)
        {
            return new SealedNotesRef(string.Empty, string.Empty, string.Empty, null);
        }

        var submission = CarePlanEvents.ParseSubmission(drafted.SubmissionJson);
        return new SealedNotesRef(submission.ClinicId, submission.PatientRef, drafted.AssessmentId, sealedNotes);
    }
}
