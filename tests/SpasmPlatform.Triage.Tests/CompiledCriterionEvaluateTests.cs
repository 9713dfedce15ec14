using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Knowledge.V1;
using static SpasmPlatform.Triage.Tests.Criteria;

namespace SpasmPlatform.Triage.Tests;

/// <summary>Group semantics, and the evidence (finding paths) a criterion reports when it holds.</summary>
public sealed class CompiledCriterionEvaluateTests
{
    private const string Saddle = "red_flags.saddle_anaesthesia";
    private const string Bladder = "red_flags.new_bladder_dysfunction";
    private const string Bowel = "red_flags.bowel_incontinence";
    private const string Trauma = "red_flags.major_trauma";

    // Saddle, Bladder, "age_years >= 50" and dehydration hold; Bowel and Trauma do not.
    private static readonly SubmitAssessmentRequest Submission = CreateSubmission();

    private static Criterion T1 => Finding(Saddle);

    private static Criterion T2 => Finding(Bladder);

    private static Criterion T3 => Finding("age_years >= 50");

    private static Criterion F1 => Finding(Bowel);

    private static Criterion F2 => Finding(Trauma);

    [Fact]
    public void A_leaf_that_holds_reports_its_path()
    {
        var (holds, findings) = Evaluate(T1);

        Assert.True(holds);
        Assert.Equal([Saddle], findings);
    }

    [Fact]
    public void A_leaf_reports_the_path_not_the_predicate_text()
    {
        var (holds, findings) = Evaluate(Finding("age_years >= 50"));

        Assert.True(holds);
        Assert.Equal(["age_years"], findings);
    }

    [Fact]
    public void A_leaf_that_does_not_hold_reports_nothing()
    {
        var (holds, findings) = Evaluate(F1);

        Assert.False(holds);
        Assert.Empty(findings);
    }

    [Fact]
    public void All_holds_when_every_member_holds_and_reports_them_in_order()
    {
        var (holds, findings) = Evaluate(All(T2, T1, T3));

        Assert.True(holds);
        Assert.Equal([Bladder, Saddle, "age_years"], findings);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void All_fails_when_any_member_fails_and_reports_nothing(int failing)
    {
        Criterion[] members = [T1, T2, T3];
        members[failing] = F1;

        var (holds, findings) = Evaluate(All(members));

        Assert.False(holds);
        Assert.Empty(findings);
    }

    [Fact]
    public void Any_holds_when_one_member_holds()
    {
        var (holds, findings) = Evaluate(Any(F1, F2, T1));

        Assert.True(holds);
        Assert.Equal([Saddle], findings);
    }

    [Fact]
    public void Any_reports_every_member_that_held_not_just_the_first()
    {
        var (holds, findings) = Evaluate(Any(F1, T2, F2, T1));

        Assert.True(holds);
        Assert.Equal([Bladder, Saddle], findings);
    }

    [Fact]
    public void Any_fails_when_no_member_holds()
    {
        var (holds, findings) = Evaluate(Any(F1, F2));

        Assert.False(holds);
        Assert.Empty(findings);
    }

    [Fact]
    public void None_holds_when_no_member_holds_and_contributes_no_findings()
    {
        var (holds, findings) = Evaluate(None(F1, F2));

        Assert.True(holds);
        Assert.Empty(findings);
    }

    [Fact]
    public void None_fails_when_any_member_holds_and_reports_nothing()
    {
        var (holds, findings) = Evaluate(None(F1, T1));

        Assert.False(holds);
        Assert.Empty(findings);
    }

    [Fact]
    public void A_none_inside_an_all_adds_nothing_to_the_evidence()
    {
        var (holds, findings) = Evaluate(All(T1, None(F1, F2), T3));

        Assert.True(holds);
        Assert.Equal([Saddle, "age_years"], findings);
    }

    [Fact]
    public void None_of_a_none_holds_when_the_inner_none_fails()
    {
        // none[none[saddle]]: the inner none fails because saddle holds, so the outer holds, still without evidence.
        var (holds, findings) = Evaluate(None(None(T1)));

        Assert.True(holds);
        Assert.Empty(findings);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, false)]
    public void At_least_holds_when_count_members_hold(int count, bool expected)
    {
        var (holds, findings) = Evaluate(AtLeast(count, T1, F1, T2, F2));

        Assert.Equal(expected, holds);
        Assert.Equal(expected ? [Saddle, Bladder] : [], findings);
    }

    [Fact]
    public void At_least_all_members_is_all()
    {
        Assert.True(Evaluate(AtLeast(3, T1, T2, T3)).Holds);
        Assert.False(Evaluate(AtLeast(3, T1, T2, F1)).Holds);
    }

    [Fact]
    public void A_group_that_fails_inside_one_that_holds_leaks_no_evidence()
    {
        // all[saddle, bowel] fails, so saddle is not evidence for the any, even though it held on its own.
        var (holds, findings) = Evaluate(Any(All(T1, F1), T2));

        Assert.True(holds);
        Assert.Equal([Bladder], findings);
    }

    [Fact]
    public void A_failed_at_least_inside_one_that_holds_leaks_no_evidence()
    {
        var (holds, findings) = Evaluate(Any(AtLeast(2, T3, F1, F2), T2));

        Assert.True(holds);
        Assert.Equal([Bladder], findings);
    }

    [Fact]
    public void Findings_are_deduplicated_keeping_first_occurrence_order()
    {
        var (holds, findings) = Evaluate(Any(T2, All(T1, T2), Finding(Saddle), AtLeast(1, T2, T3)));

        Assert.True(holds);
        Assert.Equal([Bladder, Saddle, "age_years"], findings);
    }

    [Fact]
    public void Different_predicates_on_one_path_report_it_once()
    {
        var (holds, findings) = Evaluate(All(Finding("age_years >= 50"), Finding("age_years < 60")));

        Assert.True(holds);
        Assert.Equal(["age_years"], findings);
    }

    [Fact]
    public void Evidence_is_appended_to_what_the_caller_already_holds_without_duplicates()
    {
        var findings = new List<string> { "earlier", Saddle };

        var holds = Compile(Any(T1, T2)).Evaluate(Submission, findings);

        Assert.True(holds);
        Assert.Equal(["earlier", Saddle, Bladder], findings);
    }

    [Fact]
    public void A_failing_criterion_leaves_the_callers_findings_untouched()
    {
        var findings = new List<string> { "earlier" };

        Assert.False(Compile(All(T1, F1)).Evaluate(Submission, findings));
        Assert.Equal(["earlier"], findings);
    }

    [Fact]
    public void Deeply_nested_groups_combine()
    {
        // Cauda equina shape: saddle AND (bladder OR bowel) AND at least 1 of (age>=50, trauma) AND none of (chest pain).
        var criterion = All(
            T1,
            Any(T2, F1),
            AtLeast(1, T3, F2),
            None(Finding("red_flags.chest_pain")));

        var (holds, findings) = Evaluate(criterion);

        Assert.True(holds);
        Assert.Equal([Saddle, Bladder, "age_years"], findings);
    }

    [Fact]
    public void Leaves_over_every_predicate_kind_report_their_paths()
    {
        var criterion = All(
            Finding("vitals.temperature_celsius >= 38.0"),
            Finding("vitals.systolic_bp_mmhg < 90"),
            Finding("sex == SEX_FEMALE"),
            Finding("presentation.leg_pain in [LEG_PAIN_BOTH_LEGS]"),
            Finding("risk_factors contains RISK_FACTOR_DEHYDRATION"),
            Finding("start_back"));

        var (holds, findings) = Evaluate(criterion);

        Assert.True(holds);
        Assert.Equal(
            ["vitals.temperature_celsius", "vitals.systolic_bp_mmhg", "sex", "presentation.leg_pain", "risk_factors", "start_back"],
            findings);
    }

    [Fact]
    public void On_an_empty_submission_only_none_holds()
    {
        var empty = new SubmitAssessmentRequest();

        Assert.False(Compile(T1).Evaluate(empty));
        Assert.False(Compile(Any(T1, T2)).Evaluate(empty));
        Assert.False(Compile(All(T1, T2)).Evaluate(empty));
        Assert.False(Compile(AtLeast(1, T1, T2)).Evaluate(empty));
        Assert.True(Compile(None(T1, T2)).Evaluate(empty));
    }

    [Fact]
    public void The_convenience_overload_agrees()
    {
        Assert.True(Compile(Any(F1, T1)).Evaluate(Submission));
        Assert.False(Compile(All(F1, T1)).Evaluate(Submission));
    }

    [Fact]
    public void A_compiled_criterion_is_reusable()
    {
        var compiled = Compile(Any(T1, T2));

        var first = new List<string>();
        var second = new List<string>();
        compiled.Evaluate(Submission, first);
        compiled.Evaluate(Submission, second);

        Assert.Equal([Saddle, Bladder], first);
        Assert.Equal(first, second);
    }

    private static (bool Holds, List<string> Findings) Evaluate(Criterion criterion)
    {
        var findings = new List<string>();
        var holds = Compile(criterion).Evaluate(Submission, findings);
        return (holds, findings);
    }

    private static SubmitAssessmentRequest CreateSubmission()
    {
        var submission = new SubmitAssessmentRequest
        {
            AgeYears = 55,
            Sex = Sex.Female,
            RedFlags = new RedFlags { SaddleAnaesthesia = true, NewBladderDysfunction = true },
            Vitals = new Vitals { TemperatureCelsius = 38.4, SystolicBpMmhg = 85 },
            Presentation = new Presentation { LegPain = LegPain.BothLegs },
            StartBack = new StartBackAnswers(),
        };
        submission.RiskFactors.Add(RiskFactor.Dehydration);
        return submission;
    }
}
