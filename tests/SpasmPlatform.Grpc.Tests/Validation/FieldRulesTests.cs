using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.Grpc.Tests.Validation;

/// <summary>The field rules every service's validators share: each value on either side of each limit.</summary>
public sealed class FieldRulesTests
{
    [Theory]
    [InlineData("clinic-a", null)]
    [InlineData("klinik-ø 患者", null)]
    [InlineData("", "is required")]
    [InlineData("  ", "is required")]
    [InlineData("patient\u0007ref", "must not contain control or invisible formatting characters")]
    [InlineData("patient\nref", "must not contain control or invisible formatting characters")]
    [InlineData("patient\u202Eref", "must not contain control or invisible formatting characters")]
    [InlineData("patient\u200Bref", "must not contain control or invisible formatting characters")]
    [InlineData("\uFEFFpatient", "must not contain control or invisible formatting characters")]
    public void An_id_is_required_and_visible(string value, string? violation) =>
        Assert.Equal(violation, Only(v => v.Id(value, "patient_ref"), "patient_ref"));

    [Fact]
    public void Every_id_has_the_same_length_limit()
    {
        Assert.Equal(128, FieldRules.MaxIdLength);
        Assert.Null(Only(v => v.Id(new string('c', FieldRules.MaxIdLength), "clinic_id"), "clinic_id"));
        Assert.Equal("must be at most 128 characters", Only(v => v.Id(new string('c', FieldRules.MaxIdLength + 1), "clinic_id"), "clinic_id"));
        Assert.Equal("must be at most 128 characters", Only(v => v.OptionalId(new string('c', FieldRules.MaxIdLength + 1), "stream_id"), "stream_id"));
    }

    [Theory]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e4736", true)]
    [InlineData("", false)]
    [InlineData(" ", false)]
    [InlineData("corr\r\nforged: line", false)]
    [InlineData("corr\u2066id", false)]
    public void An_id_from_outside_a_message_passes_the_same_rule(string value, bool valid)
    {
        Assert.Equal(valid, FieldRules.IsId(value));
        Assert.Equal(valid, Only(v => v.Id(value, "id"), "id") is null);
        Assert.False(FieldRules.IsId(null));
        Assert.False(FieldRules.IsId(new string('c', FieldRules.MaxIdLength + 1)));
    }

    [Fact]
    public void An_optional_id_may_be_empty_but_not_blank()
    {
        Assert.Null(Only(v => v.OptionalId("", "care_plan_id"), "care_plan_id"));
        Assert.Equal("must not be blank", Only(v => v.OptionalId(" ", "care_plan_id"), "care_plan_id"));
        Assert.Equal("must not contain control or invisible formatting characters", Only(v => v.OptionalId("cp\u0000", "care_plan_id"), "care_plan_id"));
    }

    [Fact]
    public void A_caller_filter_has_room_for_a_described_caller_and_the_characters_of_an_id()
    {
        Assert.Null(Only(v => v.OptionalCaller("physiotherapist:clinic-a/pia via console:web-console", "caller"), "caller"));
        Assert.Null(Only(v => v.OptionalCaller(new string('c', FieldRules.MaxCallerLength), "caller"), "caller"));
        Assert.Equal("must be at most 200 characters", Only(v => v.OptionalCaller(new string('c', FieldRules.MaxCallerLength + 1), "caller"), "caller"));
        Assert.Equal("must not contain control or invisible formatting characters", Only(v => v.OptionalCaller("a\tb", "caller"), "caller"));
    }

    [Fact]
    public void A_filter_enum_may_be_unspecified_but_must_be_defined()
    {
        Assert.Null(Only(v => v.Defined(Urgency.Unspecified, "urgency"), "urgency"));
        Assert.Null(Only(v => v.Defined(Urgency.Emergency, "urgency"), "urgency"));
        Assert.Equal("42 is not a defined value", Only(v => v.Defined((Urgency)42, "urgency"), "urgency"));
        Assert.Equal("-1 is not a defined value", Only(v => v.Defined((Urgency)(-1), "urgency"), "urgency"));
    }

    [Fact]
    public void A_required_enum_must_be_defined_and_not_unspecified()
    {
        Assert.Null(Only(v => v.Specified(BodyRegion.LowerBack, "presentation.region"), "presentation.region"));
        Assert.Equal("is required (UNSPECIFIED is not a value)", Only(v => v.Specified(BodyRegion.Unspecified, "presentation.region"), "presentation.region"));
        Assert.Equal("7 is not a defined value", Only(v => v.Specified((Onset)7, "presentation.onset"), "presentation.onset"));
    }

    [Fact]
    public void Each_element_of_a_repeated_enum_is_checked_by_its_index()
    {
        var violations = new List<FieldViolation>();
        violations.EachSpecified([RiskFactor.Obesity, RiskFactor.Unspecified, RiskFactor.Obesity, (RiskFactor)99], "risk_factors");

        Assert.Equal(
            [
                new("risk_factors[1]", "must be a defined value other than UNSPECIFIED"),
                new FieldViolation("risk_factors[3]", "must be a defined value other than UNSPECIFIED"),
            ],
            violations);
    }

    [Theory]
    [InlineData("Clinical judgement.\nSeen in clinic;\tno red flags.", null)]
    [InlineData("", "is required")]
    [InlineData(" \n\t", "is required")]
    [InlineData("before\0after", FieldRules.UnstorableText)]
    public void Required_text_is_not_blank_and_is_storable(string value, string? violation) =>
        Assert.Equal(violation, Only(v => v.Text(value, "reason", FieldRules.MaxReasonLength), "reason"));

    [Theory]
    [InlineData(FieldRules.MaxReasonLength)]
    [InlineData(FieldRules.MaxNotesLength)]
    [InlineData(FieldRules.MaxQueryLength)]
    public void Text_is_bounded_by_its_kind(int maxLength)
    {
        Assert.Null(Only(v => v.Text(new string('r', maxLength), "text", maxLength), "text"));
        Assert.Equal($"must be at most {maxLength} characters", Only(v => v.Text(new string('r', maxLength + 1), "text", maxLength), "text"));
        Assert.Null(Only(v => v.OptionalText("", "text", maxLength), "text"));
        Assert.Equal($"must be at most {maxLength} characters", Only(v => v.OptionalText(new string('r', maxLength + 1), "text", maxLength), "text"));
    }

    [Fact]
    public void The_text_limits_are_the_documented_ones()
    {
        Assert.Equal(2000, FieldRules.MaxReasonLength);
        Assert.Equal(8000, FieldRules.MaxNotesLength);
        Assert.Equal(500, FieldRules.MaxQueryLength);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(500, true)]
    [InlineData(-1, false)]
    [InlineData(501, false)]
    [InlineData(int.MinValue, false)]
    public void A_page_size_is_zero_for_the_default_or_at_most_the_maximum(int size, bool valid)
    {
        var violation = Only(v => v.PageSize(size), "page_size");
        Assert.Equal(valid ? null : "must be between 0 (the default, 50) and 500", violation);
        Assert.Equal(valid && size <= 100, Only(v => v.PageSize(size, "limit", 10, 100), "limit") is null);
    }

    [Fact]
    public void An_expected_version_is_one_or_more()
    {
        Assert.Equal("must be the version as read (1 or more)", Only(v => v.ExpectedVersion(0, "expected_version"), "expected_version"));
        Assert.Equal("must be the version as read (1 or more)", Only(v => v.ExpectedVersion(-5, "expected_version"), "expected_version"));
        Assert.Null(Only(v => v.ExpectedVersion(1, "expected_version"), "expected_version"));
    }

    [Theory]
    [InlineData(0L, 0, true)]
    [InlineData(253_402_300_799L, 999_999_999, true)]
    [InlineData(-1L, 0, false)]
    [InlineData(253_402_300_800L, 0, false)]
    [InlineData(1_000L, -1, false)]
    [InlineData(1_000L, 1_000_000_000, false)]
    public void A_time_is_between_1970_and_the_end_of_9999(long seconds, int nanos, bool valid)
    {
        var time = new Timestamp { Seconds = seconds, Nanos = nanos };
        Assert.Equal(valid, FieldRules.IsValidTime(time));
        Assert.Equal(valid ? null : "must be a valid time from 1970-01-01 to 9999-12-31", Only(v => v.Time(time, "from"), "from"));
        Assert.Equal(valid ? null : "must be a valid time from 1970-01-01 to 9999-12-31", Only(v => v.OptionalTime(time, "to"), "to"));
    }

    [Fact]
    public void A_required_time_must_be_set_and_an_optional_one_may_not_be()
    {
        Assert.Equal("is required", Only(v => v.Time(null, "from"), "from"));
        Assert.Null(Only(v => v.OptionalTime(null, "to"), "to"));
    }

    [Theory]
    [InlineData("cauda_equina_syndrome", null)]
    [InlineData("", "is required")]
    [InlineData("Cauda Equina", "must be a lower_snake_case condition code")]
    [InlineData("cauda-equina", "must be a lower_snake_case condition code")]
    public void A_code_is_lower_snake_case(string value, string? violation) =>
        Assert.Equal(violation, Only(v => v.Code(value, "code", "condition"), "code"));

    [Fact]
    public void A_code_is_bounded()
    {
        Assert.True(FieldRules.IsCode(new string('a', FieldRules.MaxCodeLength)));
        Assert.False(FieldRules.IsCode(new string('a', FieldRules.MaxCodeLength + 1)));
        Assert.Equal("must be a lower_snake_case intervention code", Only(v => v.Code(new string('a', FieldRules.MaxCodeLength + 1), "codes[0]", "intervention"), "codes[0]"));
    }

    /// <summary>The description of the one violation <paramref name="rule"/> reports for <paramref name="field"/>, or null when it reports none.</summary>
    private static string? Only(Action<List<FieldViolation>> rule, string field)
    {
        var violations = new List<FieldViolation>();
        rule(violations);
        Assert.True(violations.Count <= 1, string.Join("; ", violations));
        Assert.All(violations, v => Assert.Equal(field, v.Field));
        return violations.SingleOrDefault().Description;
    }
}
