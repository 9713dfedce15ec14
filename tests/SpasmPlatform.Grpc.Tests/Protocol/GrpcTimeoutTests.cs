using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Tests.Protocol;

public sealed class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("4m", 40_000L)]
    [InlineData("5u", 50L)]
    [InlineData("100n", 1L)]
    [InlineData("1n", 1L)]
    [InlineData("99999999S", 999_999_990_000_000L)]
    public void Parses_every_unit(string header, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(header, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("123456789S")]
    [InlineData("1.5S")]
    public void Rejects_what_the_grammar_does_not_allow(string header) => Assert.False(GrpcTimeout.TryParse(header, out _));

    [Theory]
    [InlineData(0.001, "1000000n")]
    [InlineData(30, "30000000u")]
    [InlineData(3600, "3600000m")]
    [InlineData(864000, "864000S")]
    public void Formats_in_the_finest_unit_that_fits(double seconds, string expected) =>
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Format_never_shortens_the_timeout()
    {
        foreach (var ticks in new long[] { 1, 7, 123_456_789, 987_654_321_012, TimeSpan.FromDays(3000).Ticks })
        {
            var formatted = GrpcTimeout.Format(TimeSpan.FromTicks(ticks));
            Assert.True(formatted.Length <= 9);
            Assert.True(GrpcTimeout.TryParse(formatted, out var parsed));
            Assert.True(parsed.Ticks >= ticks, $"{ticks} -> {formatted}");
        }
    }
}
