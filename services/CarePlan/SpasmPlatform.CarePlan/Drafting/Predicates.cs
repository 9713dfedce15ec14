using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Triage.Findings;

namespace SpasmPlatform.CarePlan.Drafting;

/// <summary>Finding predicates of intervention rules, parsed once per text: the same rules are checked for every plan.</summary>
internal static class Predicates
{
    private static readonly ConcurrentDictionary<string, FindingPredicate> Parsed = new(StringComparer.Ordinal);
    private static readonly ConditionalWeakTable<Knowledge.V1.Criterion, CompiledCriterion> Compiled = [];

    /// <summary>False for a rule without a predicate: such a rule is descriptive and never decides anything alone.</summary>
    public static bool Holds(string when, SubmitAssessmentRequest submission) =>
        when.Length > 0 && Parsed.GetOrAdd(when, text => FindingPredicateParser.Submission.Parse(text)).Evaluate(submission);

    /// <summary>A criterion of a cached knowledge version, compiled once per criterion instance.</summary>
    public static bool Holds(Knowledge.V1.Criterion criterion, string location, SubmitAssessmentRequest submission) =>
        Compiled.GetValue(criterion, c => CompiledCriterion.Compile(c, FindingPredicateParser.Submission, location)).Evaluate(submission);

    /// <summary>What the clinician should recognise: the enum value of a "contains" predicate, else the predicate itself.</summary>
    public static string Subject(string when)
    {
        const string contains = " contains ";
        var at = when.IndexOf(contains, StringComparison.Ordinal);
        return at >= 0 ? when[(at + contains.Length)..].Trim() : when;
    }
}
