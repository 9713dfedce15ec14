using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.Presentation;

namespace SpasmPlatform.Console.Tests;

public sealed class HumanTextTests
{
    [Theory]
    [InlineData(Urgency.Emergency, "Emergency")]
    [InlineData(Urgency.SameDay, "Same day")]
    [InlineData(Urgency.Within24Hours, "Within 24 hours")]
    [InlineData(Urgency.Within2Weeks, "Within 2 weeks")]
    [InlineData(Urgency.Routine, "Routine")]
    [InlineData(Urgency.SelfCare, "Self-care")]
    public void Urgencies_read_as_words(Urgency urgency, string expected) => Assert.Equal(expected, HumanText.Of(urgency));

    [Fact]
    public void Every_value_of_every_enum_shown_has_words_of_its_own()
    {
        Assert.Equal(Enum.GetValues<Urgency>().Length, Enum.GetValues<Urgency>().Select(HumanText.Of).Distinct().Count());
        Assert.Equal(Enum.GetValues<CarePlanStatus>().Length, Enum.GetValues<CarePlanStatus>().Select(HumanText.Of).Distinct().Count());
        Assert.DoesNotContain(Enum.GetValues<CarePlanStatus>().Select(HumanText.Of), text => text.Any(char.IsUpper) && text.Skip(1).Any(char.IsUpper) && !text.Contains(' ', StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(20160, "14 days")]
    [InlineData(1440, "1 day")]
    [InlineData(90, "1 hour 30 minutes")]
    [InlineData(240, "4 hours")]
    [InlineData(1, "1 minute")]
    [InlineData(0, "Immediately")]
    [InlineData(-1, "No deadline")]
    public void Act_within_times_read_in_days_hours_and_minutes(int minutes, string expected) => Assert.Equal(expected, HumanText.ActWithin(minutes));

    [Fact]
    public void Times_are_shown_in_the_viewers_zone_with_the_zone_named()
    {
        var at = new DateTimeOffset(2026, 7, 1, 8, 5, 0, TimeSpan.Zero);
        Assert.Equal("1 Jul 2026, 10:05 Europe/Berlin", HumanText.Time(at, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")));
        Assert.Equal("1 Jul 2026, 04:05 America/New_York", HumanText.Time(at, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")));
        Assert.Equal("1 Jul 2026, 08:05 UTC", HumanText.Time(at, TimeZoneInfo.Utc));
    }
}
