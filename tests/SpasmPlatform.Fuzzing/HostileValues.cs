using System.Text;

namespace SpasmPlatform.Fuzzing;

/// <summary>Field values chosen to hurt: encodings PostgreSQL or UTF-8 decoders refuse, extremes, huge sizes.</summary>
public static class HostileValues
{
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xFF],
        [0xC0, 0x80],             // overlong NUL
        [0xED, 0xA0, 0x80],       // a UTF-16 surrogate encoded as UTF-8
        [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
        [0xE2, 0x82],             // truncated sequence
        [0x80, 0x80, 0x80],       // continuation bytes alone
        [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    private static readonly string[] Texts =
    [
        "", "\0", "a\0b", "\u0001\u001f\u007f", "\uFEFF", "\u202Eevil", "../../etc/passwd", "'; DROP TABLE events; --",
        "%00%ff", "${jndi:ldap://x}", "<script>alert(1)</script>", "\U0001F600", "clinic-1", "assessment-", " ",
        "\r\n\r\n", "\\u0000", "null", "NaN", "-1", "9223372036854775808", "*", "%", "_", "careplan-", "knowledge-",
    ];

    public static readonly ulong[] Integers =
    [
        0, 1, 2, 7, 127, 128, 255, 16383, 16384, int.MaxValue, (ulong)int.MaxValue + 1, uint.MaxValue,
        ulong.MaxValue, unchecked((ulong)-1L), unchecked((ulong)(long)int.MinValue), long.MaxValue, unchecked((ulong)long.MinValue),
    ];

    public static byte[] String(Random random) => random.Next(10) switch
    {
        0 or 1 => Encoding.UTF8.GetBytes(Texts[random.Next(Texts.Length)]),
        2 => Concat(Ascii(random, random.Next(0, 8)), InvalidUtf8[random.Next(InvalidUtf8.Length)], Ascii(random, random.Next(0, 8))),
        3 => Encoding.UTF8.GetBytes(new string((char)random.Next(0x20, 0x7F), random.Next(1000, 70_000))),
        4 => RandomBytes(random, random.Next(1, 64)),
        5 => Encoding.UTF8.GetBytes(new string('\0', random.Next(1, 16))),
        _ => Ascii(random, random.Next(1, 40)),
    };

    public static ulong Integer(Random random) =>
        random.Next(3) == 0 ? (ulong)random.NextInt64() : Integers[random.Next(Integers.Length)];

    /// <summary>An enum number: mostly undeclared ones (negative, huge, just past the last value).</summary>
    public static ulong EnumNumber(Random random, Google.Protobuf.Reflection.EnumDescriptor descriptor)
    {
        var values = descriptor.Values;
        return random.Next(4) switch
        {
            0 => (ulong)values[random.Next(values.Count)].Number,
            1 => (ulong)(values.Max(v => v.Number) + 1 + random.Next(3)),
            _ => Integer(random),
        };
    }

    public static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Ascii(Random random, int length)
    {
        var bytes = new byte[length];
        for (var i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.Next(0x21, 0x7F);
        }

        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
