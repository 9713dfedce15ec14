using System.Collections;

namespace SpasmPlatform.Grpc.Protocol;

/// <summary>
/// Custom metadata (request headers, response headers, trailers). Keys are lower-case; keys ending in
/// "-bin" carry bytes, sent base64-encoded on the wire.
/// </summary>
public sealed class Metadata : IEnumerable<Metadata.Entry>
{
    public const string BinarySuffix = "-bin";
    private readonly List<Entry> _entries = [];

    public int Count => _entries.Count;

    public Entry this[int index] => _entries[index];

    public Metadata Add(string key, string value)
    {
        _entries.Add(new Entry(key, value));
        return this;
    }

    public Metadata Add(string key, byte[] value)
    {
        _entries.Add(new Entry(key, value));
        return this;
    }

    public void Add(Entry entry) => _entries.Add(entry);

    public Entry? Get(string key)
    {
        for (var i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i];
            }
        }

        return null;
    }

    public string? GetValue(string key) => Get(key)?.Value;

    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    public IEnumerable<Entry> GetAll(string key) =>
        _entries.Where(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));

    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>One key and its value; binary keys hold <see cref="ValueBytes"/>, others <see cref="Value"/>.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _bytes;

        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{key}' ends in '-bin' and must carry bytes.", nameof(key));
            }

            foreach (var c in value)
            {
                // The protocol allows printable ASCII only in text values.
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException($"Value of '{key}' holds a character outside printable ASCII.", nameof(value));
                }
            }

            _value = value;
        }

        public Entry(string key, byte[] value)
        {
            Key = NormalizeKey(key);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Key '{key}' carries bytes and must end in '-bin'.", nameof(key));
            }

            _bytes = value;
        }

        public string Key { get; }

        public bool IsBinary => _bytes is not null;

        public string Value => _value ?? throw new InvalidOperationException($"'{Key}' is a binary entry; read ValueBytes.");

        public byte[] ValueBytes => _bytes ?? throw new InvalidOperationException($"'{Key}' is a text entry; read Value.");

        /// <summary>The value as it travels in an HTTP/2 header field.</summary>
        public string ToHeaderValue() => _bytes is not null ? Convert.ToBase64String(_bytes) : _value!;

        public override string ToString() => IsBinary ? $"{Key}: <{_bytes!.Length} bytes>" : $"{Key}: {_value}";

        private static string NormalizeKey(string key)
        {
            ArgumentException.ThrowIfNullOrEmpty(key);
            foreach (var c in key)
            {
                var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.';
                if (!ok)
                {
                    throw new ArgumentException($"Metadata key '{key}' holds '{c}'; only 0-9 a-z _ - . are allowed.", nameof(key));
                }
            }

            if (key.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Metadata key '{key}' is reserved by gRPC.", nameof(key));
            }

            return key.ToLowerInvariant();
        }
    }

    /// <summary>Builds an entry from a received header; "-bin" values may be comma-joined and unpadded.</summary>
    internal static IEnumerable<Entry> FromHeader(string key, string value)
    {
        if (!IsBinaryKey(key))
        {
            yield return new Entry(key, value);
            yield break;
        }

        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            yield return new Entry(key, DecodeBase64Lenient(part));
        }
    }

    internal static byte[] DecodeBase64Lenient(string value)
    {
        var padding = (4 - (value.Length % 4)) % 4;
        return Convert.FromBase64String(padding == 0 ? value : value + new string('=', padding));
    }
}
