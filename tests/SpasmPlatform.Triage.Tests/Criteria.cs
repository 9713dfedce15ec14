using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Findings;

namespace SpasmPlatform.Triage.Tests;

/// <summary>Terse construction of <see cref="Criterion"/> trees, compiled against the submission contract.</summary>
internal static class Criteria
{
    public const string Location = "rule X when";

    public static Criterion Finding(string predicate) => new() { Finding = predicate };

    public static Criterion All(params Criterion[] of) => new() { All = Group(of) };

    public static Criterion Any(params Criterion[] of) => new() { Any = Group(of) };

    public static Criterion None(params Criterion[] of) => new() { None = Group(of) };

    public static Criterion AtLeast(int count, params Criterion[] of)
    {
        var atLeast = new AtLeast { Count = count };
        atLeast.Of.AddRange(of);
        return new Criterion { AtLeast = atLeast };
    }

    public static CompiledCriterion Compile(Criterion criterion) =>
        CompiledCriterion.Compile(criterion, FindingPredicateParser.Submission, Location);

    /// <summary>The message of the exception that compiling <paramref name="criterion"/> must throw.</summary>
    public static string Refusal(Criterion criterion) =>
        Assert.Throws<FindingPredicateException>(() => Compile(criterion)).Message;

    private static CriterionGroup Group(Criterion[] of)
    {
        var group = new CriterionGroup();
        group.Of.AddRange(of);
        return group;
    }
}
