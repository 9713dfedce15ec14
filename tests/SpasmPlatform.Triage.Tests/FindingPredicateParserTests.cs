using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Triage.Findings;
using static SpasmPlatform.Triage.Tests.Submissions;

namespace SpasmPlatform.Triage.Tests;

/// <summary>What the parser accepts, and what it makes of it.</summary>
public sealed class FindingPredicateParserTests
{
    [Fact]
    public void The_submission_parser_is_rooted_at_the_submission_contract() =>
        Assert.Same(SubmitAssessmentRequest.Descriptor, FindingPredicateParser.Submission.Root);

    [Theory]
    [InlineData("red_flags.saddle_anaesthesia", "red_flags.saddle_anaesthesia", FindingOperator.IsSet)]
    [InlineData("start_back", "start_back", FindingOperator.IsSet)]
    [InlineData("start_back.leg_pain", "start_back.leg_pain", FindingOperator.IsSet)]
    [InlineData("age_years == 50", "age_years", FindingOperator.Equal)]
    [InlineData("age_years != 50", "age_years", FindingOperator.NotEqual)]
    [InlineData("age_years < 50", "age_years", FindingOperator.Less)]
    [InlineData("age_years <= 50", "age_years", FindingOperator.LessOrEqual)]
    [InlineData("age_years > 50", "age_years", FindingOperator.Greater)]
    [InlineData("age_years >= 50", "age_years", FindingOperator.GreaterOrEqual)]
    [InlineData("age_years>=50", "age_years", FindingOperator.GreaterOrEqual)]
    [InlineData("vitals.temperature_celsius >= 38.0", "vitals.temperature_celsius", FindingOperator.GreaterOrEqual)]
    [InlineData("vitals.systolic_bp_mmhg < 90", "vitals.systolic_bp_mmhg", FindingOperator.Less)]
    [InlineData("presentation.duration_days > -1", "presentation.duration_days", FindingOperator.Greater)]
    [InlineData("sex == SEX_MALE", "sex", FindingOperator.Equal)]
    [InlineData("sex != SEX_MALE", "sex", FindingOperator.NotEqual)]
    [InlineData("presentation.leg_pain in [LEG_PAIN_BOTH_LEGS]", "presentation.leg_pain", FindingOperator.In)]
    [InlineData("presentation.leg_pain in [ LEG_PAIN_ONE_LEG_BELOW_KNEE ,LEG_PAIN_BOTH_LEGS ]", "presentation.leg_pain", FindingOperator.In)]
    [InlineData("start_back.bothersomeness in [BOTHERSOMENESS_VERY_MUCH, BOTHERSOMENESS_EXTREMELY]", "start_back.bothersomeness", FindingOperator.In)]
    [InlineData("risk_factors contains RISK_FACTOR_DEHYDRATION", "risk_factors", FindingOperator.Contains)]
    [InlineData("current_medications contains MEDICATION_ANTICOAGULANT", "current_medications", FindingOperator.Contains)]
    [InlineData("  red_flags.major_trauma  ", "red_flags.major_trauma", FindingOperator.IsSet)]
    [InlineData("\tage_years   >=   50 ", "age_years", FindingOperator.GreaterOrEqual)]
    public void Parses_the_path_and_operator(string text, string path, FindingOperator op)
    {
        var predicate = Parse(text);

        Assert.Equal(path, predicate.Path);
        Assert.Equal(op, predicate.Operator);
    }

    [Fact]
    public void Keeps_the_text_as_written()
    {
        const string text = "  age_years   >= 50 ";

        var predicate = Parse(text);

        Assert.Equal(text, predicate.Text);
        Assert.Equal(text, predicate.ToString());
    }

    [Theory]
    [InlineData("age_years >= 5e1")]
    [InlineData("age_years >= 50.0")]
    [InlineData("age_years >= +50")]
    [InlineData("age_years >= .5e2")]
    public void Accepts_any_invariant_float_literal(string text)
    {
        var predicate = Parse(text);

        Assert.False(predicate.Evaluate(Aged(49)));
        Assert.True(predicate.Evaluate(Aged(50)));
    }

    [Fact]
    public void A_parser_can_be_rooted_at_another_message()
    {
        var parser = new FindingPredicateParser(Presentation.Descriptor);

        var predicate = parser.Parse("pain_score >= 7");

        Assert.Same(Presentation.Descriptor, parser.Root);
        Assert.True(predicate.Evaluate(new Presentation { PainScore = 7 }));
        Assert.False(predicate.Evaluate(new Presentation { PainScore = 6 }));
        Assert.Throws<FindingPredicateException>(() => parser.Parse("age_years >= 50"));
    }
}
