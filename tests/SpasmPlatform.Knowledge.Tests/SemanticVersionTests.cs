using SpasmPlatform.Contracts.Versioning;

namespace SpasmPlatform.Knowledge.Tests;

public sealed class SemanticVersionTests
{
    [Theory]
    [InlineData("1.0.0", "1.0.1")]
    [InlineData("1.9.0", "1.10.0")]
    [InlineData("1.0.0-rc.1", "1.0.0")]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1")]
    [InlineData("1.0.0-alpha.2", "1.0.0-alpha.10")]
    [InlineData("1.0.0-alpha.10", "1.0.0-beta")]
    public void Orders_as_semver(string lower, string higher)
    {
        Assert.True(SemanticVersion.TryParse(lower, out var a));
        Assert.True(SemanticVersion.TryParse(higher, out var b));
        Assert.True(a.CompareTo(b) < 0);
        Assert.True(b.CompareTo(a) > 0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1.0")]
    [InlineData("01.0.0")]
    [InlineData("1.0.0+build")]
    [InlineData("v1.0.0")]
    [InlineData("1.0.0-")]
    public void Refuses_what_is_not_a_semantic_version(string text) =>
        Assert.False(SemanticVersion.TryParse(text, out _));

    [Fact]
    public void Round_trips_through_text()
    {
        Assert.True(SemanticVersion.TryParse("2.11.3-rc.2", out var version));
        Assert.Equal("2.11.3-rc.2", version.ToString());
    }

    [Theory]
    [InlineData("1.1.0", "1.0.0", true)]
    [InlineData("1.0.0", "1.0.0", false)]
    [InlineData("1.0.0-rc.1", "1.0.0", false)]
    [InlineData("2.0.0", null, true)]
    [InlineData("not-a-version", "1.0.0", false)]
    [InlineData("1.0.0", "garbage", true)]
    public void Is_higher_only_moves_forward(string candidate, string? current, bool expected) =>
        Assert.Equal(expected, SemanticVersion.IsHigher(candidate, current));
}
