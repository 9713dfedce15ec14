using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Fuzzing;

/// <summary>Reads valid protobuf bytes into <see cref="WireField"/>s (following declared sub-messages) and writes any tree back.</summary>
public static class WireCodec
{
    public static List<WireField> Parse(byte[] data, MessageDescriptor? descriptor)
    {
        var fields = new List<WireField>();
        var input = new CodedInputStream(data);
        while (!input.IsAtEnd)
        {
            var tag = input.ReadTag();
            var number = WireFormat.GetTagFieldNumber(tag);
            var type = WireFormat.GetTagWireType(tag);
            var declared = descriptor?.FindFieldByNumber(number);
            var field = new WireField { Number = number, Type = type, Field = declared };
            switch (type)
            {
                case WireFormat.WireType.Varint:
                    field.Value = input.ReadUInt64();
                    break;
                case WireFormat.WireType.Fixed64:
                    field.Value = input.ReadFixed64();
                    break;
                case WireFormat.WireType.Fixed32:
                    field.Value = input.ReadFixed32();
                    break;
                case WireFormat.WireType.LengthDelimited:
                    field.Bytes = input.ReadBytes().ToByteArray();
                    if (declared is { FieldType: FieldType.Message })
                    {
                        field.Children = Parse(field.Bytes, declared.MessageType);
                    }

                    break;
                default:
                    throw new InvalidDataException($"Wire type {type} is not expected in a proto3 seed.");
            }

            fields.Add(field);
        }

        return fields;
    }

    public static byte[] Encode(IEnumerable<WireField> fields)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        Write(output, fields);
        output.Flush();
        return stream.ToArray();
    }

    private static void Write(CodedOutputStream output, IEnumerable<WireField> fields)
    {
        foreach (var field in fields)
        {
            output.WriteTag(field.Number, field.Type);
            switch (field.Type)
            {
                case WireFormat.WireType.Varint:
                    output.WriteUInt64(field.Value);
                    break;
                case WireFormat.WireType.Fixed64:
                    output.WriteFixed64(field.Value);
                    break;
                case WireFormat.WireType.Fixed32:
                    output.WriteFixed32((uint)field.Value);
                    break;
                case WireFormat.WireType.LengthDelimited:
                    output.WriteBytes(ByteString.CopyFrom(field.Children is null ? field.Bytes : Encode(field.Children)));
                    break;
                case WireFormat.WireType.StartGroup:
                    Write(output, field.Children ?? []);
                    output.WriteTag(field.Number, WireFormat.WireType.EndGroup);
                    break;
                default:
                    break;
            }
        }
    }
}
