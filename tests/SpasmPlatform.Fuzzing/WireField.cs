using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Fuzzing;

/// <summary>
/// One field as it is on the wire, below the generated code: lets the fuzzer write what no generated setter accepts
/// (invalid UTF-8, enum numbers nobody declared, wrong wire types, unknown numbers, groups in proto3).
/// </summary>
public sealed class WireField
{
    public required int Number { get; set; }

    public required WireFormat.WireType Type { get; set; }

    /// <summary>Varint, fixed32 and fixed64 values.</summary>
    public ulong Value { get; set; }

    /// <summary>Length-delimited payload, when <see cref="Children"/> is null.</summary>
    public byte[] Bytes { get; set; } = [];

    /// <summary>A parsed sub-message (length-delimited) or a group's fields (StartGroup).</summary>
    public List<WireField>? Children { get; set; }

    /// <summary>The declared field, when the number is known to the message read.</summary>
    public FieldDescriptor? Field { get; set; }

    public WireField Clone() => new()
    {
        Number = Number,
        Type = Type,
        Value = Value,
        Bytes = Bytes,
        Children = Children?.Select(c => c.Clone()).ToList(),
        Field = Field,
    };
}
