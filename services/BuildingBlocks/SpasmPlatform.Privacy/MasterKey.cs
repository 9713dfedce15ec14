using System.Security.Cryptography;

namespace SpasmPlatform.Privacy;

/// <summary>
/// The key-encryption key from configuration: it never encrypts notes itself, only wraps the per-patient data keys,
/// so the database alone (without the configuration) reveals nothing.
/// </summary>
public sealed class MasterKey
{
    private readonly byte[] _key;

    private MasterKey(byte[] key) => _key = key;

    /// <summary>A 32-byte key written in base64 (what <c>openssl rand -base64 32</c> prints).</summary>
    public static bool TryParse(string? base64, out MasterKey? key, out string problem)
    {
        key = null;
        problem = string.Empty;
        if (string.IsNullOrWhiteSpace(base64))
        {
            problem = "is empty";
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            problem = "is not base64";
            return false;
        }

        if (bytes.Length != AesGcmSealer.KeySize)
        {
            problem = $"decodes to {bytes.Length} bytes; it must be {AesGcmSealer.KeySize} (e.g. openssl rand -base64 32)";
            return false;
        }

        key = new MasterKey(bytes);
        return true;
    }

    public static MasterKey Generate() => new(RandomNumberGenerator.GetBytes(AesGcmSealer.KeySize));

    public byte[] Wrap(ReadOnlySpan<byte> dataKey, string clinicId, string patientRef, int generation) =>
        AesGcmSealer.Seal(_key, dataKey, AssociatedData.ForWrappedKey(clinicId, patientRef, generation));

    /// <summary><see cref="CryptographicException"/> when the key was wrapped under another master key or for another patient.</summary>
    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, string clinicId, string patientRef, int generation) =>
        AesGcmSealer.Open(_key, wrapped, AssociatedData.ForWrappedKey(clinicId, patientRef, generation));
}
