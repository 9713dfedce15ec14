using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Fuzzing;

/// <summary>Random messages of a declared type, built field by field on the wire with hostile values.</summary>
public static class MessageForge
{
    private const int MaxDepth = 6;

    public static List<WireField> Forge(Random random, MessageDescriptor descriptor, int depth = 0)
    {
        var fields = new List<WireField>();
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (random.Next(3) == 0)
            {
                continue;
            }

            var count = field.IsRepeated ? random.Next(5) switch { 0 => 0, 1 => random.Next(100, 5000), _ => random.Next(1, 4) } : 1;
            for (var i = 0; i < count; i++)
            {
                if (Value(random, field, depth) is { } value)
                {
                    fields.Add(value);
                }
            }
        }

        return fields;
    }

    /// <summary>A value of the field's declared type (or, now and then, of the wrong wire type).</summary>
    public static WireField? Value(Random random, FieldDescriptor field, int depth)
    {
        if (random.Next(40) == 0)
        {
            return Unknown(random, field.FieldNumber);
        }

        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                return depth >= MaxDepth ? null : new WireField
                {
                    Number = field.FieldNumber, Type = WireFormat.WireType.LengthDelimited, Field = field,
                    Children = Forge(random, field.MessageType, depth + 1),
                };
            case FieldType.String:
                return Bytes(field, HostileValues.String(random));
            case FieldType.Bytes:
                return Bytes(field, HostileValues.RandomBytes(random, random.Next(0, 300)));
            case FieldType.Enum:
                return Varint(field, HostileValues.EnumNumber(random, field.EnumType));
            case FieldType.Bool:
                return Varint(field, random.Next(4) == 0 ? HostileValues.Integer(random) : (ulong)random.Next(2));
            case FieldType.Fixed32 or FieldType.SFixed32 or FieldType.Float:
                return new WireField { Number = field.FieldNumber, Type = WireFormat.WireType.Fixed32, Field = field, Value = (uint)HostileValues.Integer(random) };
            case FieldType.Fixed64 or FieldType.SFixed64 or FieldType.Double:
                return new WireField { Number = field.FieldNumber, Type = WireFormat.WireType.Fixed64, Field = field, Value = DoubleBits(random) };
            default:
                return Varint(field, HostileValues.Integer(random));
        }
    }

    /// <summary>A field the message does not declare, of any wire type (a group holds more unknown fields).</summary>
    public static WireField Unknown(Random random, int number) => random.Next(5) switch
    {
        0 => new WireField { Number = number, Type = WireFormat.WireType.Varint, Value = HostileValues.Integer(random) },
        1 => new WireField { Number = number, Type = WireFormat.WireType.Fixed32, Value = (uint)random.Next() },
        2 => new WireField { Number = number, Type = WireFormat.WireType.Fixed64, Value = (ulong)random.NextInt64() },
        3 => new WireField { Number = number, Type = WireFormat.WireType.StartGroup, Children = [new WireField { Number = 1, Type = WireFormat.WireType.Varint, Value = 1 }] },
        _ => new WireField { Number = number, Type = WireFormat.WireType.LengthDelimited, Bytes = HostileValues.RandomBytes(random, random.Next(0, 200)) },
    };

    public static int UnknownNumber(Random random, MessageDescriptor descriptor)
    {
        while (true)
        {
            var number = random.Next(3) switch { 0 => random.Next(1, 50), 1 => random.Next(1, 19_000), _ => random.Next(20_000, 536_870_911) };
            // 19000-19999 are reserved by protobuf itself.
            if (descriptor.FindFieldByNumber(number) is null && number is < 19_000 or > 19_999)
            {
                return number;
            }
        }
    }

    /// <summary>Groups nested <paramref name="depth"/> deep in an unknown field: the parser's recursion limit, not our stack.</summary>
    public static byte[] DeepGroups(int number, int depth)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        for (var i = 0; i < depth; i++)
        {
            output.WriteTag(number, WireFormat.WireType.StartGroup);
        }

        for (var i = 0; i < depth; i++)
        {
            output.WriteTag(number, WireFormat.WireType.EndGroup);
        }

        output.Flush();
        return stream.ToArray();
    }

    /// <summary>A declared sub-message field nested inside itself as unknown bytes, and as length-delimited levels.</summary>
    public static byte[] DeepLengthDelimited(int number, int depth)
    {
        var payload = Array.Empty<byte>();
        for (var i = 0; i < depth; i++)
        {
            using var stream = new MemoryStream();
            var output = new CodedOutputStream(stream);
            output.WriteTag(number, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(payload));
            output.Flush();
            payload = stream.ToArray();
        }

        return payload;
    }

    private static WireField Bytes(FieldDescriptor field, byte[] bytes) =>
        new() { Number = field.FieldNumber, Type = WireFormat.WireType.LengthDelimited, Field = field, Bytes = bytes };

    private static WireField Varint(FieldDescriptor field, ulong value) =>
        new() { Number = field.FieldNumber, Type = WireFormat.WireType.Varint, Field = field, Value = value };

    private static ulong DoubleBits(Random random) => random.Next(5) switch
    {
        0 => (ulong)BitConverter.DoubleToInt64Bits(double.NaN),
        1 => (ulong)BitConverter.DoubleToInt64Bits(double.PositiveInfinity),
        2 => (ulong)BitConverter.DoubleToInt64Bits(double.NegativeInfinity),
        3 => (ulong)BitConverter.DoubleToInt64Bits(-0.0),
        _ => (ulong)BitConverter.DoubleToInt64Bits((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 300))),
    };
}
