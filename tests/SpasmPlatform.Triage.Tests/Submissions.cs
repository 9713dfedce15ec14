using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Triage.Findings;

namespace SpasmPlatform.Triage.Tests;

/// <summary>Builders and shorthands shared by the finding tests.</summary>
internal static class Submissions
{
    public static FindingPredicate Parse(string text) => FindingPredicateParser.Submission.Parse(text);

    /// <summary>The message of the exception that parsing <paramref name="text"/> must throw.</summary>
    public static string Refusal(string text) =>
        Assert.Throws<FindingPredicateException>(() => FindingPredicateParser.Submission.Parse(text)).Message;

    public static bool Holds(string predicate, SubmitAssessmentRequest submission) => Parse(predicate).Evaluate(submission);

    public static SubmitAssessmentRequest Empty() => new();

    public static SubmitAssessmentRequest Aged(int years) => new() { AgeYears = years };

    public static SubmitAssessmentRequest WithRedFlags(RedFlags redFlags) => new() { RedFlags = redFlags };

    public static SubmitAssessmentRequest WithVitals(Vitals vitals) => new() { Vitals = vitals };
}
