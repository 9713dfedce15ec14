using System.Security.Cryptography;
using System.Text;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>The assessment stream's type and id, and the deterministic assessment id.</summary>
public static class AssessmentStream
{
    public const string StreamType = "assessment";

    public static string StreamId(string assessmentId) => $"assessment-{assessmentId}";

    /// <summary>
    /// The id is a function of the idempotency key, so a retry (even one racing the first attempt on another
    /// instance) lands on the same stream and the store's "no stream yet" check decides which one wins.
    /// Shaped like an RFC 9562 version 8 (custom) UUID: SHA-256 of "clinic_id\nrequest_id", first 16 bytes.
    /// </summary>
    public static string DeriveAssessmentId(string clinicId, string requestId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{clinicId}\n{requestId}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
