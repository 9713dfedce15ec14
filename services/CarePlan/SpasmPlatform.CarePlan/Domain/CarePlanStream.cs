using System.Globalization;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>
/// Every plan of one assessment lives in one stream named after the assessment. Two instances drafting for the same
/// triage both append "no stream" to the same id, so exactly one of them succeeds.
/// </summary>
public static class CarePlanStream
{
    public const string StreamType = "care_plan";

    public static string Id(string assessmentId) => $"careplan-{assessmentId}";

    /// <summary>The n-th plan of an assessment (1 = the first draft; later ones follow overrides).</summary>
    public static string PlanId(string assessmentId, int number) =>
        string.Create(CultureInfo.InvariantCulture, $"cp-{assessmentId}-{number}");
}
