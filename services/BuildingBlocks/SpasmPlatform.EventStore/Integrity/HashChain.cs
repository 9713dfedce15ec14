using System.Buffers;
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

    [ThreadStatic]
    private static StringBuilder? _metadataBuilder;

    /// <summary>The recorded metadata as one jsonb object, exactly as the trigger builds it from Marten's columns.</summary>
    public const string MetadataSql =
        "jsonb_strip_nulls(jsonb_build_object('causation_id', causation_id, 'correlation_id', correlation_id, 'headers', headers, 'user_name', user_name))";

    public static byte[] Compute(
        string streamId, long streamVersion, Guid eventId, string eventType,
        DateTimeOffset recordedAt, string dataText, string metadataText, byte[]? previousHash)
    {
        var data = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(dataText.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(dataText, data);
            return Compute(streamId, streamVersion, eventId, eventType, recordedAt, data.AsSpan(0, length), metadataText, previousHash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    /// <summary>The same, with the data's text as UTF-8 bytes (what the trigger hashes: <c>convert_to(data::text, 'UTF8')</c>).</summary>
    public static byte[] Compute(
        string streamId, long streamVersion, Guid eventId, string eventType,
        DateTimeOffset recordedAt, ReadOnlySpan<byte> dataUtf8, string metadataText, byte[]? previousHash)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        Compute(streamId, streamVersion, eventId, eventType, recordedAt, dataUtf8, metadataText, previousHash, hash);
        return hash;
    }

    /// <summary>Whether <paramref name="storedHash"/> is the hash of this content: the verifier's check, with nothing allocated for the result.</summary>
    public static bool Matches(
        ReadOnlySpan<byte> storedHash, string streamId, long streamVersion, Guid eventId, string eventType,
        DateTimeOffset recordedAt, ReadOnlySpan<byte> dataUtf8, string metadataText, byte[]? previousHash)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Compute(streamId, streamVersion, eventId, eventType, recordedAt, dataUtf8, metadataText, previousHash, hash);
        return hash.SequenceEqual(storedHash);
    }

    private static void Compute(
        string streamId, long streamVersion, Guid eventId, string eventType,
        DateTimeOffset recordedAt, ReadOnlySpan<byte> dataUtf8, string metadataText, byte[]? previousHash, Span<byte> hash)
    {
        Span<char> version = stackalloc char[20];
        Span<char> micros = stackalloc char[20];
        Span<char> id = stackalloc char[36];
        Span<char> previous = stackalloc char[previousHash is null ? 0 : previousHash.Length * 2];
        streamVersion.TryFormat(version, out var versionLength, provider: CultureInfo.InvariantCulture);
        UnixMicroseconds(recordedAt).TryFormat(micros, out var microsLength, provider: CultureInfo.InvariantCulture);
        eventId.TryFormat(id, out _, "D");
        if (previousHash is not null)
        {
            Convert.TryToHexStringLower(previousHash, previous, out _);
        }

        // The text is written piece by piece into one pooled buffer: the verifier hashes every event of a schema, and a
        // joined string plus its UTF-8 copy per event were most of its allocations.
        var maxBytes = Encoding.UTF8.GetMaxByteCount(
            Version.Length + streamId.Length + versionLength + id.Length + eventType.Length + microsLength + metadataText.Length + previous.Length) + dataUtf8.Length + 8;
        var buffer = ArrayPool<byte>.Shared.Rent(maxBytes);
        try
        {
            var written = 0;
            void Add(ReadOnlySpan<char> part)
            {
                written += Encoding.UTF8.GetBytes(part, buffer.AsSpan(written));
                buffer[written++] = (byte)'\n';
            }

            Add(Version);
            Add(streamId);
            Add(version[..versionLength]);
            Add(id);
            Add(eventType);
            Add(micros[..microsLength]);
            dataUtf8.CopyTo(buffer.AsSpan(written));
            written += dataUtf8.Length;
            buffer[written++] = (byte)'\n';
            Add(metadataText);
            written += Encoding.UTF8.GetBytes(previous, buffer.AsSpan(written));
            SHA256.HashData(buffer.AsSpan(0, written), hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The text PostgreSQL gives for <see cref="MetadataSql"/>, built here from the columns, so that the server does not
    /// build a jsonb object per event for the verifier. <paramref name="strippedHeadersText"/> is
    /// <c>jsonb_strip_nulls(headers)::text</c>: nulls inside the headers are stripped by PostgreSQL as in the trigger.
    /// jsonb orders an object's keys by length, then bytewise; the four keys differ in length, so the order is fixed.
    /// A SQL NULL (or a JSON null for the headers) is a null field, which jsonb_strip_nulls removes.
    /// </summary>
    public static string MetadataText(string? strippedHeadersText, string? causationId, string? correlationId, string? userName)
    {
        // One builder per thread: the verifier's workers build this for every event.
        var text = (_metadataBuilder ??= new StringBuilder(512)).Clear().Append('{');
        void Field(string key, string? value, bool raw)
        {
            if (value is null || (raw && value == "null"))
            {
                return;
            }

            text.Append(text.Length == 1 ? "\"" : ", \"").Append(key).Append("\": ");
            if (raw)
            {
                text.Append(value);
            }
            else
            {
                AppendJsonString(text, value);
            }
        }

        Field("headers", strippedHeadersText, raw: true);
        Field("user_name", userName, raw: false);
        Field("causation_id", causationId, raw: false);
        Field("correlation_id", correlationId, raw: false);
        return text.Append('}').ToString();
    }

    public static long UnixMicroseconds(DateTimeOffset at) => (at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    /// <summary>A JSON string as PostgreSQL's escape_json writes it: the short escapes, other control characters as \u00xx, the rest as is.</summary>
    private static void AppendJsonString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ': text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"); break;
                default: text.Append(c); break;
            }
        }

        text.Append('"');
    }
}
