using static SpasmPlatform.Triage.Tests.Submissions;

namespace SpasmPlatform.Triage.Tests;

/// <summary>Every predicate that does not fit the contract is refused, with a message that says exactly why.</summary>
public sealed class FindingPredicateParseErrorTests
{
    private const string SubmissionFields =
        "request_id, clinic_id, patient_ref, clinician_id, age_years, sex, presentation, red_flags, vitals, inflammatory, "
        + "risk_factors, start_back, current_medications, comorbidities, clinical_notes";

    private const string SexValues = "SEX_FEMALE, SEX_MALE, SEX_OTHER";

    private const string Syntax =
        "is not a finding predicate: expected PATH, PATH OP NUMBER, PATH == ENUM_VALUE, PATH in [ENUM_VALUE, ...] or PATH contains ENUM_VALUE.";

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\r\n")]
    public void Empty_text_is_refused(string? text) =>
        Assert.Equal("A finding predicate is empty.", Refusal(text!));

    [Theory]
    [InlineData("age_years ==")]
    [InlineData("age_years !=")]
    [InlineData("age_years = 50")]
    [InlineData("age_years => 50")]
    [InlineData("Age_years >= 50")]
    [InlineData("1age >= 50")]
    [InlineData(">= 50")]
    [InlineData("red_flags..saddle_anaesthesia")]
    [InlineData("red_flags.")]
    [InlineData(".red_flags")]
    [InlineData("red_flags.saddle_anaesthesia is true")]
    [InlineData("!red_flags.saddle_anaesthesia")]
    [InlineData("sex in[SEX_MALE]")]
    [InlineData("risk_factors contains")]
    [InlineData("sex in")]
    [InlineData("red flags")]
    [InlineData("red-flags")]
    public void Garbage_syntax_is_refused(string text) =>
        Assert.Equal($"'{text}' {Syntax}", Refusal(text));

    [Theory]
    [InlineData("age_years >=")]
    [InlineData("age_years <=")]
    public void A_missing_operand_after_a_two_character_ordering_is_refused(string text) =>
        // The grammar backtracks to '>' / '<' and reads '=' as the operand, so the refusal is about the number.
        Assert.Equal($"'{text}': '=' is not a number.", Refusal(text));

    [Fact]
    public void An_unknown_field_is_refused_listing_the_known_fields() =>
        Assert.Equal(
            $"'age >= 50': SubmitAssessmentRequest has no field 'age' (known: {SubmissionFields}).",
            Refusal("age >= 50"));

    [Fact]
    public void An_unknown_nested_field_names_its_message_and_lists_its_fields()
    {
        var message = Refusal("vitals.temperature");

        Assert.Equal(
            "'vitals.temperature': Vitals has no field 'temperature' (known: temperature_celsius, systolic_bp_mmhg, heart_rate_bpm).",
            message);
    }

    [Fact]
    public void An_unknown_field_deep_in_red_flags_lists_every_red_flag()
    {
        var message = Refusal("red_flags.saddle");

        Assert.StartsWith("'red_flags.saddle': RedFlags has no field 'saddle' (known: saddle_anaesthesia, new_bladder_dysfunction, ", message);
        Assert.EndsWith(", chest_pain, recent_spinal_surgery_or_injection, recent_urinary_tract_infection, tuberculosis_exposure, indwelling_catheter_or_recent_bacteraemia).", message);
    }

    [Fact]
    public void Field_names_are_proto_names_not_json_names() =>
        Assert.StartsWith("'red_flags.saddleanaesthesia': RedFlags has no field 'saddleanaesthesia' (known: ", Refusal("red_flags.saddleanaesthesia"));

    [Theory]
    [InlineData("age_years.value", "age_years", "value")]
    [InlineData("age_years.value >= 1", "age_years", "value")]
    [InlineData("red_flags.saddle_anaesthesia.left", "red_flags.saddle_anaesthesia", "left")]
    [InlineData("vitals.temperature_celsius.kelvin > 300", "vitals.temperature_celsius", "kelvin")]
    [InlineData("sex.code == 1", "sex", "code")]
    [InlineData("clinical_notes.a.b", "clinical_notes", "a")]
    public void A_path_through_a_non_message_is_refused(string text, string prefix, string segment) =>
        Assert.Equal($"'{text}': {prefix} is not a message, so it has no field '{segment}'.", Refusal(text));

    [Fact]
    public void A_path_through_a_repeated_field_is_refused() =>
        Assert.Equal(
            "'risk_factors.code': risk_factors is repeated; only its last segment may name a repeated field.",
            Refusal("risk_factors.code"));

    [Theory]
    [InlineData("age_years", "an int32 field")]
    [InlineData("presentation.pain_score", "an int32 field")]
    [InlineData("vitals.temperature_celsius", "a double field")]
    [InlineData("clinical_notes", "a string field")]
    [InlineData("sex", "an enum (Sex) field")]
    [InlineData("risk_factors", "a repeated enum (RiskFactor) field")]
    public void A_bare_path_needs_a_bool_or_message_field(string path, string description) =>
        Assert.Equal(
            $"'{path}': {path} is {description}; a bare path needs a bool or message field (compare other fields with an operator).",
            Refusal(path));

    [Theory]
    [InlineData("<")]
    [InlineData("<=")]
    [InlineData(">")]
    [InlineData(">=")]
    public void An_ordering_operator_on_an_enum_is_refused(string op)
    {
        var text = $"start_back.bothersomeness {op} BOTHERSOMENESS_MODERATELY";

        Assert.Equal($"'{text}': enum field start_back.bothersomeness takes ==, != or in, not an ordering.", Refusal(text));
    }

    [Theory]
    [InlineData("sex == SEX_UNKNOWN", "SEX_UNKNOWN")]
    [InlineData("sex != sex_male", "sex_male")]
    [InlineData("sex == LEG_PAIN_NONE", "LEG_PAIN_NONE")]
    [InlineData("sex == 2", "2")]
    [InlineData("sex in [SEX_MALE, SEX_NOPE]", "SEX_NOPE")]
    [InlineData("sex in [SEX_MALE,,SEX_NOPE ]", "SEX_NOPE")]
    public void An_unknown_enum_value_is_refused_listing_the_known_values(string text, string value) =>
        Assert.Equal($"'{text}': '{value}' is not a value of Sex (known: {SexValues}).", Refusal(text));

    [Fact]
    public void An_unknown_value_in_contains_lists_the_repeated_enum_values()
    {
        var message = Refusal("risk_factors contains RISK_FACTOR_GRAVITY");

        Assert.StartsWith(
            "'risk_factors contains RISK_FACTOR_GRAVITY': 'RISK_FACTOR_GRAVITY' is not a value of RiskFactor (known: RISK_FACTOR_PROLONGED_SITTING, ",
            message);
        Assert.EndsWith(", RISK_FACTOR_REPETITIVE_OCCUPATIONAL_STRAIN).", message);
    }

    [Theory]
    [InlineData("sex == SEX_UNSPECIFIED", "SEX_UNSPECIFIED", "Sex")]
    [InlineData("sex != SEX_UNSPECIFIED", "SEX_UNSPECIFIED", "Sex")]
    [InlineData("sex in [SEX_MALE, SEX_UNSPECIFIED]", "SEX_UNSPECIFIED", "Sex")]
    [InlineData("presentation.leg_pain in [LEG_PAIN_UNSPECIFIED]", "LEG_PAIN_UNSPECIFIED", "LegPain")]
    [InlineData("risk_factors contains RISK_FACTOR_UNSPECIFIED", "RISK_FACTOR_UNSPECIFIED", "RiskFactor")]
    public void The_zero_unspecified_enum_value_is_refused(string text, string value, string enumName)
    {
        var message = Refusal(text);

        Assert.StartsWith($"'{text}': '{value}' is not a value of {enumName} (known: ", message);
        Assert.DoesNotContain("UNSPECIFIED, ", message);
        Assert.DoesNotContain("UNSPECIFIED)", message);
    }

    [Theory]
    [InlineData("sex contains SEX_MALE", "sex", "an enum (Sex) field")]
    [InlineData("age_years contains 50", "age_years", "an int32 field")]
    [InlineData("red_flags contains SEX_MALE", "red_flags", "a message (RedFlags) field")]
    [InlineData("presentation.leg_pain contains LEG_PAIN_BOTH_LEGS", "presentation.leg_pain", "an enum (LegPain) field")]
    public void Contains_on_a_non_repeated_field_is_refused(string text, string path, string description) =>
        Assert.Equal($"'{text}': 'contains' needs a repeated enum field; {path} is {description}.", Refusal(text));

    [Theory]
    [InlineData("sex in SEX_MALE")]
    [InlineData("sex in [SEX_MALE")]
    [InlineData("sex in SEX_MALE]")]
    [InlineData("sex in (SEX_MALE)")]
    public void In_without_brackets_is_refused(string text) =>
        Assert.Equal($"'{text}': 'in' takes a bracketed list, e.g. [SEX_OTHER].", Refusal(text));

    [Theory]
    [InlineData("sex in []")]
    [InlineData("sex in [ ]")]
    [InlineData("sex in [,]")]
    [InlineData("sex in [ , , ]")]
    public void In_with_an_empty_list_is_refused(string text) =>
        Assert.Equal($"'{text}': the list after 'in' is empty.", Refusal(text));

    [Theory]
    [InlineData("risk_factors in [RISK_FACTOR_DEHYDRATION]", "risk_factors", "a repeated enum (RiskFactor) field")]
    [InlineData("age_years in [50]", "age_years", "an int32 field")]
    [InlineData("start_back in [BOTHERSOMENESS_EXTREMELY]", "start_back", "a message (StartBackAnswers) field")]
    public void In_needs_a_single_enum_field(string text, string path, string description) =>
        Assert.Equal($"'{text}': 'in' needs a (non-repeated) enum field; {path} is {description}.", Refusal(text));

    [Theory]
    [InlineData("age_years >= fifty", "fifty")]
    [InlineData("age_years >= 50 years", "50 years")]
    [InlineData("age_years >= 5,0", "5,0")]
    [InlineData("age_years >= 0x32", "0x32")]
    [InlineData("age_years >= NaN", "NaN")]
    [InlineData("age_years >= Infinity", "Infinity")]
    [InlineData("age_years >= -Infinity", "-Infinity")]
    [InlineData("age_years >= 1e400", "1e400")]
    [InlineData("age_years >= SEX_MALE", "SEX_MALE")]
    [InlineData("vitals.temperature_celsius >= 38.0C", "38.0C")]
    [InlineData("age_years <> 50", "> 50")]
    [InlineData("age_years >= 50 && sex == SEX_MALE", "50 && sex == SEX_MALE")]
    public void A_non_numeric_operand_is_refused(string text, string operand) =>
        Assert.Equal($"'{text}': '{operand}' is not a number.", Refusal(text));

    [Theory]
    [InlineData("risk_factors == RISK_FACTOR_DEHYDRATION", "risk_factors")]
    [InlineData("current_medications != MEDICATION_NSAID", "current_medications")]
    [InlineData("comorbidities >= 1", "comorbidities")]
    public void Comparing_a_repeated_field_is_refused(string text, string path) =>
        Assert.Equal($"'{text}': {path} is repeated; use 'contains'.", Refusal(text));

    [Theory]
    [InlineData("red_flags.saddle_anaesthesia == true", "red_flags.saddle_anaesthesia", "a bool field")]
    [InlineData("red_flags.saddle_anaesthesia == 1", "red_flags.saddle_anaesthesia", "a bool field")]
    [InlineData("clinical_notes == 5", "clinical_notes", "a string field")]
    [InlineData("vitals > 0", "vitals", "a message (Vitals) field")]
    public void Only_int_and_double_fields_compare_with_numbers(string text, string path, string description) =>
        Assert.Equal($"'{text}': {path} is {description}; only int and double fields compare with numbers.", Refusal(text));
}
