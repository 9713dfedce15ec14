using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SpasmPlatform.Privacy;

/// <summary>
/// The contexts a ciphertext is bound to. Each part is length-prefixed, so ("ab", "c") and ("a", "bc") differ; the
/// first part names the purpose, so a wrapped key can never be opened as notes or the other way round.
/// </summary>
public static class AssociatedData
{
    public static byte[] ForNotes(string clinicId, string patientRef, string assessmentId, int keyGeneration) =>
        Encode("spasm/clinical-notes/v1", clinicId, patientRef, assessmentId, keyGeneration.ToString(CultureInfo.InvariantCulture));

    public static byte[] ForWrappedKey(string clinicId, string patientRef, int keyGeneration) =>
        Encode("spasm/patient-key/v1", clinicId, patientRef, keyGeneration.ToString(CultureInfo.InvariantCulture));

    private static byte[] Encode(params string[] parts)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        return buffer.ToArray();
    }
}
