using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SpasmPlatform.EventStore.Integrity;

/// <summary>
/// The hash of an event, exactly as append_events computes it in SQL: SHA-256 over a line-separated text of the
/// event's identity, type, schema version, recording time (µs since the Unix epoch), PostgreSQL's own text of the
/// data and metadata (jsonb output is canonical), and the previous event's hash in hex. Verification recomputes it
/// here, independently of the database.
/// </summary>
public static class HashChain
{
    public const string Version = "spasm-event-v1";

    public static byte[] Compute(
        string streamId, long streamVersion, Guid eventId, string eventType, int schemaVersion,
        DateTimeOffset recordedAt, string dataText, string metadataText, byte[]? previousHash)
    {
        var text = string.Join('\n',
            Version,
            streamId,
            streamVersion.ToString(CultureInfo.InvariantCulture),
            eventId.ToString("D"),
            eventType,
            schemaVersion.ToString(CultureInfo.InvariantCulture),
            UnixMicroseconds(recordedAt).ToString(CultureInfo.InvariantCulture),
            dataText,
            metadataText,
            previousHash is null ? string.Empty : Convert.ToHexStringLower(previousHash));
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    public static long UnixMicroseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
