namespace SpasmPlatform.Assessment.Infrastructure;

internal sealed class AssessmentNotFoundException(string assessmentId)
    : Exception($"Assessment '{assessmentId}' does not exist.")
{
    public string AssessmentId { get; } = assessmentId;
}
