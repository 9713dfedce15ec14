using System.Security.Cryptography;
using System.Text;
using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.EventStore.Tests;

public sealed class HashChainTests
{
    private static readonly Guid Id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private static readonly DateTimeOffset At = new(2026, 11, 21, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Hash_is_sha256_of_the_documented_text()
    {
        var previous = new byte[] { 0xAB, 0x01 };
        var expectedText = "spasm-event-v2\ns-1\n2\n0f8fad5b-d9cb-469f-a165-70867728950e\npain_recorded\n1795240800000000\n{\"a\": 1}\n{}\nab01";

        var hash = HashChain.Compute("s-1", 2, Id, "pain_recorded", At, "{\"a\": 1}", "{}", previous);

        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(expectedText)), hash);
    }

    [Fact]
    public void Every_field_and_the_previous_hash_change_the_hash()
    {
        var baseline = HashChain.Compute("s", 1, Id, "t", At, "{}", "{}", null);

        Assert.NotEqual(baseline, HashChain.Compute("s2", 1, Id, "t", At, "{}", "{}", null));
        Assert.NotEqual(baseline, HashChain.Compute("s", 2, Id, "t", At, "{}", "{}", null));
        Assert.NotEqual(baseline, HashChain.Compute("s", 1, Guid.NewGuid(), "t", At, "{}", "{}", null));
        Assert.NotEqual(baseline, HashChain.Compute("s", 1, Id, "t2", At, "{}", "{}", null));
        Assert.NotEqual(baseline, HashChain.Compute("s", 1, Id, "t", At.AddTicks(10), "{}", "{}", null));
        Assert.NotEqual(baseline, HashChain.Compute("s", 1, Id, "t", At, "{\"x\": 1}", "{}", null));
        Assert.NotEqual(baseline, HashChain.Compute("s", 1, Id, "t", At, "{}", "{\"x\": 1}", null));
        Assert.NotEqual(baseline, HashChain.Compute("s", 1, Id, "t", At, "{}", "{}", [1]));
    }

    [Fact]
    public void Microseconds_are_counted_from_the_unix_epoch()
    {
        Assert.Equal(0, HashChain.UnixMicroseconds(DateTimeOffset.UnixEpoch));
        Assert.Equal(1_500_001, HashChain.UnixMicroseconds(DateTimeOffset.UnixEpoch.AddTicks(15_000_010)));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-100)]
    public void Expected_version_is_never_negative(long version) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpectedVersion.Exactly(version));

    [Fact]
    public void Expected_versions_have_distinct_wire_values()
    {
        Assert.Equal(-2, ExpectedVersion.Any.Value);
        Assert.Equal(-1, ExpectedVersion.NoStream.Value);
        Assert.Equal(7, ExpectedVersion.Exactly(7).Value);
    }
}
