using System.Security.Cryptography;

namespace SpasmPlatform.Privacy.Tests;

public sealed class MasterKeyTests
{
    [Fact]
    public void A_wrapped_key_unwraps_for_its_own_patient_and_generation()
    {
        var master = MasterKey.Generate();
        var dataKey = RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize);

        var wrapped = master.Wrap(dataKey, "clinic-1", "patient-1", 3);

        Assert.Equal(dataKey, master.Unwrap(wrapped, "clinic-1", "patient-1", 3));
        Assert.Equal(-1, wrapped.AsSpan().IndexOf(dataKey.AsSpan(0, 16)));
    }

    [Fact]
    public void Another_master_key_does_not_unwrap()
    {
        var wrapped = MasterKey.Generate().Wrap(RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize), "clinic-1", "patient-1", 1);

        Assert.ThrowsAny<CryptographicException>(() => MasterKey.Generate().Unwrap(wrapped, "clinic-1", "patient-1", 1));
    }

    [Theory]
    [InlineData("clinic-2", "patient-1", 1)]
    [InlineData("clinic-1", "patient-2", 1)]
    [InlineData("clinic-1", "patient-1", 2)]
    public void A_wrapped_key_copied_to_another_row_does_not_unwrap(string clinic, string patient, int generation)
    {
        var master = MasterKey.Generate();
        var wrapped = master.Wrap(RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize), "clinic-1", "patient-1", 1);

        Assert.ThrowsAny<CryptographicException>(() => master.Unwrap(wrapped, clinic, patient, generation));
    }

    [Fact]
    public void Parses_the_base64_of_32_bytes_with_surrounding_whitespace()
    {
        var text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        Assert.True(MasterKey.TryParse($"  {text}\n", out var key, out var problem));
        Assert.NotNull(key);
        Assert.Equal(string.Empty, problem);
    }

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("   ", "is empty")]
    [InlineData("not base64 at all!", "is not base64")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAA==", "decodes to 16 bytes")]
    public void Refuses_anything_else(string? text, string expected)
    {
        Assert.False(MasterKey.TryParse(text, out var key, out var problem));
        Assert.Null(key);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
