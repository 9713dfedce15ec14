
namespace SpasmPlatform.Assessment.Infrastructure;

/// <param name="Duplicate">True when (clinic_id, request_id) was already stored: the first result, nothing new written.</param>
internal sealed record SubmitOutcome(AssessmentMessage Assessment, bool Duplicate);
