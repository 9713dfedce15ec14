using System.Security.Cryptography;
using System.Text;

namespace SpasmPlatform.Privacy.Tests;

public sealed class AesGcmSealerTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize);
    private static readonly byte[] Context = Encoding.UTF8.GetBytes("clinic-1/patient-1/assessment-1");

    [Theory]
    [InlineData("")]
    [InlineData("Patient asks about acupuncture.")]
    [InlineData("Ünïcödé notes — 患者 — with emoji 🩺 and\nnew lines")]
    public void Round_trips_any_text(string text)
    {
        var sealedBytes = AesGcmSealer.Seal(Key, Encoding.UTF8.GetBytes(text), Context);

        Assert.Equal(text, Encoding.UTF8.GetString(AesGcmSealer.Open(Key, sealedBytes, Context)));
        Assert.Equal(AesGcmSealer.NonceSize + Encoding.UTF8.GetByteCount(text) + AesGcmSealer.TagSize, sealedBytes.Length);
    }

    [Fact]
    public void Sealing_the_same_text_twice_gives_different_ciphertexts()
    {
        var plaintext = Encoding.UTF8.GetBytes("same notes");

        var first = AesGcmSealer.Seal(Key, plaintext, Context);
        var second = AesGcmSealer.Seal(Key, plaintext, Context);

        Assert.NotEqual(first[..AesGcmSealer.NonceSize], second[..AesGcmSealer.NonceSize]);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void The_ciphertext_does_not_contain_the_plaintext()
    {
        var plaintext = Encoding.UTF8.GetBytes(new string('A', 64));

        var sealedBytes = AesGcmSealer.Seal(Key, plaintext, Context);

        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(plaintext.AsSpan(0, 8)));
    }

    [Fact]
    public void Other_associated_data_does_not_open()
    {
        var sealedBytes = AesGcmSealer.Seal(Key, Encoding.UTF8.GetBytes("notes"), Context);

        Assert.ThrowsAny<CryptographicException>(() => AesGcmSealer.Open(Key, sealedBytes, Encoding.UTF8.GetBytes("clinic-1/patient-1/assessment-2")));
        Assert.ThrowsAny<CryptographicException>(() => AesGcmSealer.Open(Key, sealedBytes, []));
    }

    [Fact]
    public void Another_key_does_not_open()
    {
        var sealedBytes = AesGcmSealer.Seal(Key, Encoding.UTF8.GetBytes("notes"), Context);

        Assert.ThrowsAny<CryptographicException>(() => AesGcmSealer.Open(RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize), sealedBytes, Context));
    }

    [Fact]
    public void Changing_any_byte_is_detected()
    {
        var sealedBytes = AesGcmSealer.Seal(Key, Encoding.UTF8.GetBytes("do not alter"), Context);

        // Nonce, ciphertext and tag alike: every single flipped bit must fail authentication.
        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var altered = (byte[])sealedBytes.Clone();
            altered[i] ^= 0x01;
            Assert.ThrowsAny<CryptographicException>(() => AesGcmSealer.Open(Key, altered, Context));
        }
    }

    [Fact]
    public void Truncated_values_are_refused()
    {
        var sealedBytes = AesGcmSealer.Seal(Key, Encoding.UTF8.GetBytes("notes"), Context);

        Assert.ThrowsAny<CryptographicException>(() => AesGcmSealer.Open(Key, sealedBytes[..^1], Context));
        Assert.ThrowsAny<CryptographicException>(() => AesGcmSealer.Open(Key, sealedBytes[..(AesGcmSealer.NonceSize + AesGcmSealer.TagSize - 1)], Context));
    }

    [Fact]
    public void Keys_of_the_wrong_size_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AesGcmSealer.Seal(new byte[16], [1], Context));
        Assert.Throws<ArgumentException>(() => AesGcmSealer.Open(new byte[31], new byte[40], Context));
    }
}
