using SpasmPlatform.Assessment.V1;
using static SpasmPlatform.Triage.Tests.Submissions;

namespace SpasmPlatform.Triage.Tests;

/// <summary>Evaluation of parsed predicates against submissions: absent messages and optional fields never match.</summary>
public sealed class FindingPredicateEvaluateTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_bool_path_holds_exactly_when_the_flag_is_true(bool flag) =>
        Assert.Equal(flag, Holds("red_flags.saddle_anaesthesia", WithRedFlags(new RedFlags { SaddleAnaesthesia = flag })));

    [Fact]
    public void A_bool_path_reads_its_own_flag_only() =>
        Assert.False(Holds("red_flags.saddle_anaesthesia", WithRedFlags(new RedFlags { NewBladderDysfunction = true, ChestPain = true })));

    [Theory]
    [InlineData("red_flags.saddle_anaesthesia")]
    [InlineData("presentation.worse_with_cough_or_sneeze")]
    [InlineData("inflammatory.buttock_pain")]
    [InlineData("start_back.leg_pain")]
    public void A_bool_under_an_absent_message_never_matches(string path) =>
        Assert.False(Holds(path, Empty()));

    [Fact]
    public void Bool_paths_resolve_through_each_nested_message()
    {
        var submission = new SubmitAssessmentRequest
        {
            Presentation = new Presentation { WorseWithCoughOrSneeze = true },
            Inflammatory = new InflammatoryFeatures { ButtockPain = true },
            StartBack = new StartBackAnswers { LegPain = true },
        };

        Assert.True(Holds("presentation.worse_with_cough_or_sneeze", submission));
        Assert.True(Holds("inflammatory.buttock_pain", submission));
        Assert.True(Holds("start_back.leg_pain", submission));
        Assert.False(Holds("presentation.movement_severely_limited", submission));
        Assert.False(Holds("red_flags.saddle_anaesthesia", submission));
    }

    [Fact]
    public void Evaluation_does_not_materialise_absent_messages()
    {
        var submission = Empty();

        Holds("red_flags.saddle_anaesthesia", submission);
        Holds("vitals.systolic_bp_mmhg < 90", submission);
        Holds("start_back.bothersomeness in [BOTHERSOMENESS_EXTREMELY]", submission);

        Assert.Null(submission.RedFlags);
        Assert.Null(submission.Vitals);
        Assert.Null(submission.StartBack);
    }

    [Fact]
    public void A_message_path_holds_when_the_message_is_present()
    {
        Assert.False(Holds("start_back", Empty()));
        Assert.True(Holds("start_back", new SubmitAssessmentRequest { StartBack = new StartBackAnswers() }));
        Assert.True(Holds("start_back", new SubmitAssessmentRequest { StartBack = new StartBackAnswers { LegPain = true } }));
        Assert.False(Holds("red_flags", Empty()));
        Assert.True(Holds("red_flags", WithRedFlags(new RedFlags())));
    }

    [Theory]
    [InlineData("==", 49, false)]
    [InlineData("==", 50, true)]
    [InlineData("==", 51, false)]
    [InlineData("!=", 49, true)]
    [InlineData("!=", 50, false)]
    [InlineData("!=", 51, true)]
    [InlineData("<", 49, true)]
    [InlineData("<", 50, false)]
    [InlineData("<", 51, false)]
    [InlineData("<=", 49, true)]
    [InlineData("<=", 50, true)]
    [InlineData("<=", 51, false)]
    [InlineData(">", 49, false)]
    [InlineData(">", 50, false)]
    [InlineData(">", 51, true)]
    [InlineData(">=", 49, false)]
    [InlineData(">=", 50, true)]
    [InlineData(">=", 51, true)]
    public void Int_comparisons_hold_exactly_at_the_boundary(string op, int age, bool expected) =>
        Assert.Equal(expected, Holds($"age_years {op} 50", Aged(age)));

    [Theory]
    [InlineData(49, false)]
    [InlineData(50, true)]
    public void An_int_compares_with_a_fractional_threshold(int age, bool expected) =>
        Assert.Equal(expected, Holds("age_years > 49.5", Aged(age)));

    [Fact]
    public void An_int_without_presence_compares_its_default()
    {
        // proto3 int32 has no presence: an unset age reads as 0 (the request validator is what demands an age).
        Assert.True(Holds("age_years < 16", Empty()));
        Assert.True(Holds("presentation.duration_days > -1", new SubmitAssessmentRequest { Presentation = new Presentation() }));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(6, false)]
    [InlineData(7, true)]
    [InlineData(10, true)]
    public void A_nested_int_compares(int painScore, bool expected) =>
        Assert.Equal(expected, Holds("presentation.pain_score >= 7", new SubmitAssessmentRequest { Presentation = new Presentation { PainScore = painScore } }));

    [Theory]
    [InlineData("presentation.pain_score < 5")]
    [InlineData("presentation.pain_score != 5")]
    [InlineData("presentation.pain_score >= 0")]
    public void A_nested_int_under_an_absent_message_never_matches(string predicate) =>
        Assert.False(Holds(predicate, Empty()));

    [Fact]
    public void An_absent_optional_double_never_matches()
    {
        Assert.False(Holds("vitals.temperature_celsius >= 38.0", Empty()));
        Assert.False(Holds("vitals.temperature_celsius >= 38.0", WithVitals(new Vitals())));
        Assert.False(Holds("vitals.temperature_celsius < 38.0", WithVitals(new Vitals { SystolicBpMmhg = 120 })));
        Assert.False(Holds("vitals.temperature_celsius != 38.0", WithVitals(new Vitals())));
    }

    [Theory]
    [InlineData(37.9, false)]
    [InlineData(37.99999, false)]
    [InlineData(38.0, true)]
    [InlineData(38.1, true)]
    [InlineData(41.0, true)]
    public void An_optional_double_compares_when_present(double celsius, bool expected) =>
        Assert.Equal(expected, Holds("vitals.temperature_celsius >= 38.0", WithVitals(new Vitals { TemperatureCelsius = celsius })));

    [Fact]
    public void An_optional_double_set_to_zero_is_present() =>
        Assert.True(Holds("vitals.temperature_celsius < 35", WithVitals(new Vitals { TemperatureCelsius = 0 })));

    [Theory]
    [InlineData(89, true)]
    [InlineData(90, false)]
    [InlineData(91, false)]
    [InlineData(0, true)]
    public void An_optional_int_compares_when_present(int systolic, bool expected) =>
        Assert.Equal(expected, Holds("vitals.systolic_bp_mmhg < 90", WithVitals(new Vitals { SystolicBpMmhg = systolic })));

    [Theory]
    [InlineData("vitals.systolic_bp_mmhg < 90")]
    [InlineData("vitals.systolic_bp_mmhg != 120")]
    [InlineData("vitals.heart_rate_bpm > 100")]
    public void An_absent_optional_int_never_matches(string predicate)
    {
        Assert.False(Holds(predicate, Empty()));
        Assert.False(Holds(predicate, WithVitals(new Vitals())));
        Assert.False(Holds(predicate, WithVitals(new Vitals { TemperatureCelsius = 39 })));
    }

    [Fact]
    public void A_cleared_optional_field_is_absent_again()
    {
        var vitals = new Vitals { SystolicBpMmhg = 80 };
        var submission = WithVitals(vitals);
        Assert.True(Holds("vitals.systolic_bp_mmhg < 90", submission));

        vitals.ClearSystolicBpMmhg();

        Assert.False(Holds("vitals.systolic_bp_mmhg < 90", submission));
    }

    [Theory]
    [InlineData(Sex.Male, true)]
    [InlineData(Sex.Female, false)]
    [InlineData(Sex.Other, false)]
    [InlineData(Sex.Unspecified, false)]
    public void Enum_equal_matches_only_that_value(Sex sex, bool expected) =>
        Assert.Equal(expected, Holds("sex == SEX_MALE", new SubmitAssessmentRequest { Sex = sex }));

    [Theory]
    [InlineData(Sex.Male, false)]
    [InlineData(Sex.Female, true)]
    [InlineData(Sex.Other, true)]
    [InlineData(Sex.Unspecified, true)]
    public void Enum_not_equal_matches_every_other_value_including_unspecified(Sex sex, bool expected) =>
        Assert.Equal(expected, Holds("sex != SEX_MALE", new SubmitAssessmentRequest { Sex = sex }));

    [Theory]
    [InlineData(LegPain.Unspecified, false)]
    [InlineData(LegPain.None, false)]
    [InlineData(LegPain.OneLegAboveKnee, false)]
    [InlineData(LegPain.OneLegBelowKnee, true)]
    [InlineData(LegPain.BothLegs, true)]
    public void Enum_in_matches_any_listed_value(LegPain legPain, bool expected) =>
        Assert.Equal(
            expected,
            Holds("presentation.leg_pain in [LEG_PAIN_ONE_LEG_BELOW_KNEE, LEG_PAIN_BOTH_LEGS]", new SubmitAssessmentRequest { Presentation = new Presentation { LegPain = legPain } }));

    [Fact]
    public void Enum_in_with_a_single_value_is_equality()
    {
        Assert.True(Holds("sex in [SEX_OTHER]", new SubmitAssessmentRequest { Sex = Sex.Other }));
        Assert.False(Holds("sex in [SEX_OTHER]", new SubmitAssessmentRequest { Sex = Sex.Female }));
    }

    [Fact]
    public void An_enum_value_unknown_to_this_contract_matches_only_not_equal()
    {
        var submission = new SubmitAssessmentRequest { Sex = (Sex)99 };

        Assert.False(Holds("sex == SEX_MALE", submission));
        Assert.True(Holds("sex != SEX_MALE", submission));
        Assert.False(Holds("sex in [SEX_FEMALE, SEX_MALE, SEX_OTHER]", submission));
    }

    [Theory]
    [InlineData("start_back.bothersomeness == BOTHERSOMENESS_EXTREMELY")]
    [InlineData("start_back.bothersomeness != BOTHERSOMENESS_EXTREMELY")]
    [InlineData("start_back.bothersomeness in [BOTHERSOMENESS_VERY_MUCH, BOTHERSOMENESS_EXTREMELY]")]
    [InlineData("presentation.leg_pain != LEG_PAIN_NONE")]
    public void An_enum_under_an_absent_message_never_matches(string predicate) =>
        Assert.False(Holds(predicate, Empty()));

    [Theory]
    [InlineData(Bothersomeness.Moderately, false)]
    [InlineData(Bothersomeness.VeryMuch, true)]
    [InlineData(Bothersomeness.Extremely, true)]
    public void A_nested_enum_in_matches_when_its_message_is_present(Bothersomeness bothersomeness, bool expected) =>
        Assert.Equal(
            expected,
            Holds(
                "start_back.bothersomeness in [BOTHERSOMENESS_VERY_MUCH, BOTHERSOMENESS_EXTREMELY]",
                new SubmitAssessmentRequest { StartBack = new StartBackAnswers { Bothersomeness = bothersomeness } }));

    [Theory]
    [InlineData(new RiskFactor[0], false)]
    [InlineData(new[] { RiskFactor.Obesity }, false)]
    [InlineData(new[] { RiskFactor.Dehydration }, true)]
    [InlineData(new[] { RiskFactor.Obesity, RiskFactor.PoorPosture, RiskFactor.Dehydration }, true)]
    [InlineData(new[] { RiskFactor.Dehydration, RiskFactor.Dehydration }, true)]
    [InlineData(new[] { RiskFactor.HeavySweatingOrHeat }, false)]
    public void Contains_matches_when_the_repeated_enum_holds_the_value(RiskFactor[] riskFactors, bool expected)
    {
        var submission = Empty();
        submission.RiskFactors.AddRange(riskFactors);

        Assert.Equal(expected, Holds("risk_factors contains RISK_FACTOR_DEHYDRATION", submission));
    }

    [Fact]
    public void Contains_reads_its_own_repeated_field_only()
    {
        var submission = Empty();
        submission.CurrentMedications.Add(Medication.Anticoagulant);
        submission.Comorbidities.Add(Comorbidity.RenalImpairment);

        Assert.True(Holds("current_medications contains MEDICATION_ANTICOAGULANT", submission));
        Assert.False(Holds("current_medications contains MEDICATION_NSAID", submission));
        Assert.True(Holds("comorbidities contains COMORBIDITY_RENAL_IMPAIRMENT", submission));
        Assert.False(Holds("comorbidities contains COMORBIDITY_GI_ULCER_OR_BLEED", submission));
        Assert.False(Holds("risk_factors contains RISK_FACTOR_DEHYDRATION", submission));
    }

    [Fact]
    public void A_predicate_is_reusable_across_submissions()
    {
        var predicate = Parse("age_years >= 50");

        Assert.True(predicate.Evaluate(Aged(60)));
        Assert.False(predicate.Evaluate(Aged(20)));
        Assert.True(predicate.Evaluate(Aged(50)));
    }

    [Fact]
    public void A_null_submission_is_refused() =>
        Assert.Throws<ArgumentNullException>(() => Parse("age_years >= 50").Evaluate(null!));
}
