namespace SpasmPlatform.Assessment.Domain;

/// <summary>No assessment has this id (NOT_FOUND at the edge).</summary>
public sealed class AssessmentNotFoundException(string assessmentId)
    : Exception($"Assessment '{assessmentId}' does not exist.")
{
    public string AssessmentId { get; } = assessmentId;
}
