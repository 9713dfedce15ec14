using System.ComponentModel.DataAnnotations;

namespace SpasmPlatform.Assessment;

/// <summary>Configuration section "Assessment" (its "SubmitBatching" subsection is <see cref="Infrastructure.SubmissionBatching"/>).</summary>
public sealed class AssessmentOptions
{
    public const string Section = "Assessment";

    /// <summary>Drafted plans linked at once; each link is a short transaction on the assessment's stream.</summary>
    [Range(1, 256)]
    public int CarePlanLinkConcurrency { get; set; } = 8;
}
