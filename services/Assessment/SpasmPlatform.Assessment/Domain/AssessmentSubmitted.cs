using System.Text.Json;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>The submission exactly as received (protobuf JSON of SubmitAssessmentRequest), first event of every assessment stream.</summary>
public sealed record AssessmentSubmitted(
    string AssessmentId,
    string ClinicId,
    string RequestId,
    DateTimeOffset SubmittedAt,
    JsonElement Submission);
