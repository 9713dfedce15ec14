using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace SpasmPlatform.EventStore.Integrity;

/// <summary>
/// The hash of an event, exactly as the chain_event trigger computes it in SQL (EventStoreSchema): SHA-256 over a
/// line-separated text of the hash version, the stream key, the version, the event id, the stored type name, the
/// recording time (µs since the Unix epoch), PostgreSQL's text of the data and of the recorded metadata (jsonb output
/// is canonical), and the previous event's hash in hex. Verification recomputes it here, independently of the database.
/// </summary>
public static class HashChain
{
    public const string Version = "spasm-event-v2";

    /// <summary>The recorded metadata as one jsonb object, exactly as the trigger builds it from Marten's columns.</summary>
    public const string MetadataSql =
        "jsonb_strip_nulls(jsonb_build_object('causation_id', causation_id, 'correlation_id', correlation_id, 'headers', headers, 'user_name', user_name))";

    public static byte[] Compute(
        string streamId, long streamVersion, Guid eventId, string eventType,
        DateTimeOffset recordedAt, string dataText, string metadataText, byte[]? previousHash)
    {
        var text = string.Join('\n',
            Version,
            streamId,
            streamVersion.ToString(CultureInfo.InvariantCulture),
            eventId.ToString("D"),
            eventType,
            UnixMicroseconds(recordedAt).ToString(CultureInfo.InvariantCulture),
            dataText,
            metadataText,
            previousHash is null ? string.Empty : Convert.ToHexStringLower(previousHash));
        return SHA256.HashData(Encoding.UTF8.GetBytes(text));
    }

    public static long UnixMicroseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
}
