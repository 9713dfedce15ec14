using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Findings;
using static SpasmPlatform.Triage.Tests.Criteria;

namespace SpasmPlatform.Triage.Tests;

/// <summary>Compilation refuses malformed criterion trees, naming where in the rule the problem is.</summary>
public sealed class CompiledCriterionCompileTests
{
    private const string Ok = "red_flags.saddle_anaesthesia";

    [Fact]
    public void A_null_criterion_is_refused() =>
        Assert.Throws<ArgumentNullException>(() => CompiledCriterion.Compile(null!, FindingPredicateParser.Submission, Location));

    [Fact]
    public void An_empty_criterion_is_refused() =>
        Assert.Equal(
            "rule X when: the criterion is empty (give a finding, all, any, none or at_least).",
            Refusal(new Criterion()));

    [Fact]
    public void An_empty_criterion_inside_a_group_names_its_position() =>
        Assert.Equal(
            "rule X when.all[1]: the criterion is empty (give a finding, all, any, none or at_least).",
            Refusal(All(Finding(Ok), new Criterion())));

    [Fact]
    public void An_empty_finding_is_refused() =>
        Assert.Equal("rule X when: A finding predicate is empty.", Refusal(Finding(string.Empty)));

    [Fact]
    public void A_bad_top_level_finding_is_prefixed_with_the_location() =>
        Assert.StartsWith("rule X when: 'age >= 50': SubmitAssessmentRequest has no field 'age' (known: ", Refusal(Finding("age >= 50")));

    [Fact]
    public void A_bad_member_names_its_group_and_index() =>
        Assert.Equal(
            "rule X when.any[1]: 'sex > SEX_MALE': enum field sex takes ==, != or in, not an ordering.",
            Refusal(Any(Finding(Ok), Finding("sex > SEX_MALE"))));

    [Theory]
    [InlineData("all")]
    [InlineData("any")]
    [InlineData("none")]
    [InlineData("at_least")]
    public void A_bad_member_of_each_group_kind_names_that_kind(string kind)
    {
        var members = new[] { Finding(Ok), Finding(Ok), Finding("age_years >= old") };
        var criterion = kind switch
        {
            "all" => All(members),
            "any" => Any(members),
            "none" => None(members),
            _ => AtLeast(1, members),
        };

        Assert.Equal($"rule X when.{kind}[2]: 'age_years >= old': 'old' is not a number.", Refusal(criterion));
    }

    [Fact]
    public void A_deeply_nested_bad_member_names_the_whole_location() =>
        Assert.StartsWith(
            "rule X when.all[1].at_least[1].none[0]: 'red_flags.nope': RedFlags has no field 'nope' (known: saddle_anaesthesia, ",
            Refusal(All(Finding(Ok), AtLeast(1, Finding(Ok), None(Finding("red_flags.nope"))))));

    [Fact]
    public void The_location_prefix_is_the_callers()
    {
        var exception = Assert.Throws<FindingPredicateException>(
            () => CompiledCriterion.Compile(Any(Finding("bogus")), FindingPredicateParser.Submission, "rule RF-CES-01 when"));

        Assert.StartsWith("rule RF-CES-01 when.any[0]: 'bogus': SubmitAssessmentRequest has no field 'bogus'", exception.Message);
    }

    [Fact]
    public void The_location_prefix_appears_once()
    {
        var message = Refusal(Any(Any(Finding("bogus"))));

        Assert.StartsWith("rule X when.any[0].any[0]: 'bogus': ", message);
        Assert.Equal(1, CountOf(message, "rule X when"));
    }

    [Theory]
    [InlineData("all")]
    [InlineData("any")]
    [InlineData("none")]
    public void An_empty_group_is_refused(string kind)
    {
        var criterion = kind switch
        {
            "all" => All(),
            "any" => Any(),
            _ => None(),
        };

        Assert.Equal($"rule X when.{kind}: the group has no members.", Refusal(criterion));
    }

    [Fact]
    public void An_empty_at_least_is_refused_as_an_empty_group() =>
        Assert.Equal("rule X when.at_least: the group has no members.", Refusal(AtLeast(1)));

    [Fact]
    public void An_empty_group_inside_a_group_names_its_position() =>
        Assert.Equal("rule X when.any[1].all: the group has no members.", Refusal(Any(Finding(Ok), All())));

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void At_least_count_out_of_range_is_refused(int count) =>
        Assert.Equal(
            $"rule X when.at_least: count {count} must be between 1 and the 2 members.",
            Refusal(AtLeast(count, Finding(Ok), Finding("age_years >= 50"))));

    [Fact]
    public void At_least_count_out_of_range_inside_a_group_names_its_position() =>
        Assert.Equal(
            "rule X when.none[0].at_least: count 2 must be between 1 and the 1 members.",
            Refusal(None(AtLeast(2, Finding(Ok)))));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void At_least_count_within_range_compiles(int count) =>
        Assert.NotNull(Compile(AtLeast(count, Finding(Ok), Finding("age_years >= 50"))));

    [Fact]
    public void Every_kind_compiles()
    {
        Assert.NotNull(Compile(Finding(Ok)));
        Assert.NotNull(Compile(All(Finding(Ok))));
        Assert.NotNull(Compile(Any(Finding(Ok))));
        Assert.NotNull(Compile(None(Finding(Ok))));
        Assert.NotNull(Compile(AtLeast(1, Finding(Ok))));
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
