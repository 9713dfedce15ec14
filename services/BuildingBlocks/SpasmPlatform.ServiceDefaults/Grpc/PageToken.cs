using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// Where a keyset-paged list continues: after the last row returned, whose sort key is a number (a time in
/// microseconds, a stored position) and, where the number alone does not place a row, a text (an id that breaks ties,
/// a day whose shards are read).
/// </summary>
public readonly record struct PagePosition(long Number, string Key = "");

/// <summary>What <see cref="PageToken.Read"/> found.</summary>
public enum PageTokenReading
{
    Valid,

    /// <summary>Not base64url, too long or short, or its checksum does not match: garbage, cut or altered.</summary>
    NotIssued,

    /// <summary>Well formed, but of a token format this build does not read (issued before or after an upgrade).</summary>
    OtherVersion,

    /// <summary>Issued for another list, or for the same list with another filter (another clinic, another status).</summary>
    OtherQuery,
}

/// <summary>
/// The one page-token format of every paged list. Opaque to clients (base64url), versioned, checked, and bound to
/// the query it was issued for, so a token replayed against another clinic or filter is refused instead of skipping
/// or repeating rows.
/// <para>
/// Layout: version (1 byte) | query fingerprint (16) | number (8, big-endian) | key (UTF-8) | checksum (8). The
/// fingerprint is SHA-256 over the request's message type and every field except page_size and page_token, so any
/// filter a list grows is bound without code here. The checksum, SHA-256 over everything before it, detects a cut or
/// altered token; it is not a secret. A client that forges a valid token gains nothing: the filter is taken from the
/// request, which authorization has already checked, and the position only picks where within that query a page
/// starts. The version byte and checksum keep their places in every version, so a token from another build is told
/// apart from garbage.
/// </para>
/// </summary>
public static class PageToken
{
    public const byte CurrentVersion = 1;

    /// <summary>Longer text is refused before decoding; an issued token with the longest key is about 720 characters.</summary>
    public const int MaxLength = 1024;

    public const int FingerprintLength = 16;
    public const int ChecksumLength = 8;

    private const int HeaderLength = 1 + FingerprintLength + sizeof(long);

    /// <summary>The token for the page after <paramref name="after"/> of the list <paramref name="request"/> asked for.</summary>
    public static string Issue(IMessage request, PagePosition after)
    {
        ArgumentNullException.ThrowIfNull(after.Key);
        var key = Encoding.UTF8.GetBytes(after.Key);
        var bytes = new byte[HeaderLength + key.Length + ChecksumLength];
        bytes[0] = CurrentVersion;
        Fingerprint(request).CopyTo(bytes.AsSpan(1));
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(1 + FingerprintLength), after.Number);
        key.CopyTo(bytes.AsSpan(HeaderLength));
        Checksum(bytes.AsSpan(0, bytes.Length - ChecksumLength), bytes.AsSpan(bytes.Length - ChecksumLength));
        var token = Base64Url.EncodeToString(bytes);
        if (token.Length > MaxLength)
        {
            throw new ArgumentException($"A page position's key of {after.Key.Length} characters makes a token longer than {MaxLength}.", nameof(after));
        }

        return token;
    }

    /// <summary>The position <paramref name="token"/> holds, if it is a current token issued for this same query.</summary>
    public static PageTokenReading Read(string token, IMessage request, out PagePosition after)
    {
        after = default;
        if (token.Length is 0 or > MaxLength || !Base64Url.IsValid(token))
        {
            return PageTokenReading.NotIssued;
        }

        var bytes = Base64Url.DecodeFromChars(token);
        if (bytes.Length < HeaderLength + ChecksumLength)
        {
            return PageTokenReading.NotIssued;
        }

        Span<byte> expected = stackalloc byte[ChecksumLength];
        Checksum(bytes.AsSpan(0, bytes.Length - ChecksumLength), expected);
        if (!expected.SequenceEqual(bytes.AsSpan(bytes.Length - ChecksumLength)))
        {
            return PageTokenReading.NotIssued;
        }

        if (bytes[0] != CurrentVersion)
        {
            return PageTokenReading.OtherVersion;
        }

        if (!bytes.AsSpan(1, FingerprintLength).SequenceEqual(Fingerprint(request)))
        {
            return PageTokenReading.OtherQuery;
        }

        string key;
        try
        {
            key = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, HeaderLength, bytes.Length - HeaderLength - ChecksumLength);
        }
        catch (ArgumentException)
        {
            return PageTokenReading.NotIssued;
        }

        after = new PagePosition(BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(1 + FingerprintLength)), key);
        return PageTokenReading.Valid;
    }

    /// <summary>The field violation's description for a token that is not <see cref="PageTokenReading.Valid"/>.</summary>
    public static string Describe(PageTokenReading reading, IMessage request) => reading switch
    {
        PageTokenReading.NotIssued => "is not a token this service issued",
        PageTokenReading.OtherVersion => "was issued by another version of this service; list again from the first page",
        PageTokenReading.OtherQuery => $"was issued for another query; keep {Filters(request)} as they were while paging",
        _ => throw new ArgumentOutOfRangeException(nameof(reading), reading, "A valid token has nothing to describe."),
    };

    /// <summary>SHA-256 over the message type and its filter fields, cut to <see cref="FingerprintLength"/> bytes.</summary>
    private static byte[] Fingerprint(IMessage request)
    {
        var filter = request.Descriptor.Parser.ParseFrom(request.ToByteString());
        foreach (var field in Paging(request))
        {
            field.Accessor.Clear(filter);
        }

        // Type name, a separator no type name holds, then the fields in protobuf's (field-number) order; fields left at
        // their defaults are not written, so adding a filter to the contract leaves existing tokens valid.
        var name = Encoding.UTF8.GetBytes(request.Descriptor.FullName);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(name);
        hash.AppendData([0]);
        hash.AppendData(filter.ToByteArray());
        return hash.GetHashAndReset()[..FingerprintLength];
    }

    private static IEnumerable<Google.Protobuf.Reflection.FieldDescriptor> Paging(IMessage request) =>
        request.Descriptor.Fields.InFieldNumberOrder().Where(f => f.Name is "page_size" or "page_token");

    private static string Filters(IMessage request)
    {
        var names = request.Descriptor.Fields.InFieldNumberOrder().Where(f => f.Name is not ("page_size" or "page_token")).Select(f => f.Name).ToList();
        return names.Count switch
        {
            0 => "the request",
            1 => names[0],
            _ => $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}",
        };
    }

    private static void Checksum(ReadOnlySpan<byte> content, Span<byte> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, hash);
        hash[..ChecksumLength].CopyTo(destination);
    }
}
