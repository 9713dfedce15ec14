using Npgsql;
using SpasmPlatform.Assessment.Domain;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.EventStore.Streams;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>
/// Opens the sealed clinical notes of read-model rows and of submission events for whoever reads them: the text, or
/// empty with clinical_notes_erased once the patient's key is gone. One key lookup per batch of rows.
/// </summary>
internal sealed class AssessmentNotes(ClinicalNotesVault vault) : SpasmPlatform.Audit.IEventNotesReader
{
    public async Task<IReadOnlyList<AssessmentMessage>> RevealAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<AssessmentRow> rows, CancellationToken cancellationToken)
    {
        var readings = await vault.OpenAsync(connection, transaction, [.. rows.Select(r => r.Notes)], cancellationToken);
        for (var i = 0; i < rows.Count; i++)
        {
            Apply(rows[i].Assessment, readings[i]);
        }

        return [.. rows.Select(r => r.Assessment)];
    }

    public async Task<AssessmentMessage> RevealAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, AssessmentRow row, CancellationToken cancellationToken) =>
        (await RevealAsync(connection, transaction, [row], cancellationToken))[0];

    /// <summary>The notes of an assessment.submitted event.</summary>
    public Task<NotesReading> OpenAsync(StoredEvent submitted, CancellationToken cancellationToken) =>
        RefOf(submitted) is { } notes ? vault.OpenAsync(notes, cancellationToken) : Task.FromResult(NotesReading.None);

    /// <summary>The notes of many assessment.submitted events, in order; None for events of other types.</summary>
    public Task<IReadOnlyList<NotesReading>> OpenAsync(IReadOnlyList<StoredEvent> events, CancellationToken cancellationToken) =>
        vault.OpenAsync([.. events.Select(e => RefOf(e) ?? new SealedNotesRef(string.Empty, string.Empty, string.Empty, null))], cancellationToken);

    public static void Apply(AssessmentMessage assessment, NotesReading reading)
    {
        // Nothing sealed: leave the submission as stored.
        if (reading == NotesReading.None)
        {
            return;
        }

        assessment.Submission ??= new SubmitAssessmentRequest();
        assessment.Submission.ClinicalNotes = reading.Text;
        assessment.ClinicalNotesErased = reading.Erased;
    }

    private static SealedNotesRef? RefOf(StoredEvent stored)
    {
        if (stored.EventType != AssessmentSubmitted.EventType)
        {
            return null;
        }

        var submitted = stored.Data<AssessmentSubmitted>();
        if (submitted.SealedClinicalNotes is not { Length: > 0 } sealedNotes)
        {
            return null;
        }

        var patientRef = submitted.Submission.TryGetProperty("patient_ref", out var value) ? value.GetString() ?? string.Empty : string.Empty;
        return new SealedNotesRef(submitted.ClinicId, patientRef, submitted.AssessmentId, sealedNotes);
    }
}
