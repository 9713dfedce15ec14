using SpasmPlatform.Privacy;

namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>A read-model row: the assessment without its clinical notes, and the notes still sealed.</summary>
internal sealed record AssessmentRow(AssessmentMessage Assessment, string? SealedNotes)
{
    public SealedNotesRef Notes => new(Assessment.ClinicId, Assessment.PatientRef, Assessment.AssessmentId, SealedNotes);
}
