using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Fuzzing;

/// <summary>Turns a valid request message into a hostile one, structurally (on the wire tree) or byte by byte.</summary>
public static class MessageMutator
{
    // Keeps a single request under the 4 MiB receive limit unless a mutation means to cross it.
    private const int SizeBudget = 3 * 1024 * 1024;

    private static readonly (string Name, Func<Random, MessageDescriptor, byte[], byte[]> Apply)[] Mutations =
    [
        ("forge", (r, d, _) => WireCodec.Encode(MessageForge.Forge(r, d))),
        ("bit-flips", BitFlips),
        ("insert-bytes", InsertBytes),
        ("delete-bytes", DeleteBytes),
        ("truncate-message", (r, _, b) => b.Length == 0 ? b : b[..r.Next(b.Length)]),
        ("unknown-fields", UnknownFields),
        ("enum-out-of-range", EnumOutOfRange),
        ("invalid-utf8-string", HostileString),
        ("repeat-field", RepeatField),
        ("wrong-wire-type", WrongWireType),
        ("deep-groups", (r, d, b) => [.. b, .. MessageForge.DeepGroups(MessageForge.UnknownNumber(r, d), r.Next(2) == 0 ? r.Next(50, 150) : r.Next(1000, 20_000))]),
        ("deep-nesting", DeepNesting),
        ("huge-repeated", HugeRepeated),
        ("empty-message", (_, _, _) => []),
    ];

    public static (string Name, byte[] Bytes) Mutate(Random random, MessageDescriptor descriptor, byte[] seed)
    {
        var (name, apply) = Mutations[random.Next(Mutations.Length)];
        return (name, apply(random, descriptor, seed));
    }

    private static byte[] BitFlips(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = random.Next(1, 9); i > 0 && copy.Length > 0; i--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    private static byte[] InsertBytes(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var at = random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. HostileValues.RandomBytes(random, random.Next(1, 32)), .. bytes[at..]];
    }

    private static byte[] DeleteBytes(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return bytes;
        }

        var at = random.Next(bytes.Length);
        var length = Math.Min(bytes.Length - at, random.Next(1, 16));
        return [.. bytes[..at], .. bytes[(at + length)..]];
    }

    private static byte[] UnknownFields(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var tree = WireCodec.Parse(bytes, descriptor);
        for (var i = random.Next(1, 6); i > 0; i--)
        {
            var (fields, owner) = PickMessage(random, tree, descriptor);
            fields.Insert(random.Next(fields.Count + 1), MessageForge.Unknown(random, MessageForge.UnknownNumber(random, owner)));
        }

        return WireCodec.Encode(tree);
    }

    private static byte[] EnumOutOfRange(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var tree = WireCodec.Parse(bytes, descriptor);
        var enums = Nodes(tree).Where(n => n.Field is { FieldType: FieldType.Enum } && n.Type == WireFormat.WireType.Varint).ToList();
        if (enums.Count > 0)
        {
            var node = enums[random.Next(enums.Count)];
            node.Value = HostileValues.EnumNumber(random, node.Field!.EnumType);
            return WireCodec.Encode(tree);
        }

        return AddDeclared(random, descriptor, tree, f => f.FieldType == FieldType.Enum);
    }

    private static byte[] HostileString(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var tree = WireCodec.Parse(bytes, descriptor);
        var strings = Nodes(tree).Where(n => n.Field is { FieldType: FieldType.String }).ToList();
        if (strings.Count > 0)
        {
            strings[random.Next(strings.Count)].Bytes = HostileValues.String(random);
            return WireCodec.Encode(tree);
        }

        return AddDeclared(random, descriptor, tree, f => f.FieldType == FieldType.String);
    }

    private static byte[] RepeatField(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var tree = WireCodec.Parse(bytes, descriptor);
        var (fields, _) = PickMessage(random, tree, descriptor);
        if (fields.Count == 0)
        {
            return WireCodec.Encode(tree);
        }

        var node = fields[random.Next(fields.Count)];
        var size = Math.Max(1, WireCodec.Encode([node]).Length);
        var copies = Math.Min(random.Next(2, 50_000), SizeBudget / size);
        fields.AddRange(Enumerable.Range(0, copies).Select(_ => node.Clone()));
        return WireCodec.Encode(tree);
    }

    private static byte[] WrongWireType(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var tree = WireCodec.Parse(bytes, descriptor);
        var nodes = Nodes(tree).ToList();
        if (nodes.Count == 0)
        {
            return bytes;
        }

        var node = nodes[random.Next(nodes.Count)];
        node.Type = node.Type == WireFormat.WireType.LengthDelimited ? WireFormat.WireType.Varint : WireFormat.WireType.LengthDelimited;
        node.Children = null;
        node.Bytes = HostileValues.RandomBytes(random, random.Next(0, 20));
        return WireCodec.Encode(tree);
    }

    /// <summary>Nests a declared sub-message field inside itself far past the parser's recursion limit (100).</summary>
    private static byte[] DeepNesting(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var messageFields = descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message).ToList();
        var number = messageFields.Count > 0 ? messageFields[random.Next(messageFields.Count)].FieldNumber : MessageForge.UnknownNumber(random, descriptor);
        return [.. bytes, .. MessageForge.DeepLengthDelimited(number, random.Next(90, 400))];
    }

    private static byte[] HugeRepeated(Random random, MessageDescriptor descriptor, byte[] bytes)
    {
        var repeated = AllFields(descriptor).Where(f => f.Field.IsRepeated && f.Field.FieldType != FieldType.Message).ToList();
        if (repeated.Count == 0)
        {
            return RepeatField(random, descriptor, bytes);
        }

        var tree = WireCodec.Parse(bytes, descriptor);
        var (field, owner) = repeated[random.Next(repeated.Count)];
        var target = FindOrCreate(tree, descriptor, owner);
        var value = MessageForge.Value(random, field, 0) ?? MessageForge.Unknown(random, field.FieldNumber);
        var size = Math.Max(1, WireCodec.Encode([value]).Length);
        target.AddRange(Enumerable.Range(0, Math.Min(random.Next(1000, 500_000), SizeBudget / size)).Select(_ => value.Clone()));
        return WireCodec.Encode(tree);
    }

    private static byte[] AddDeclared(Random random, MessageDescriptor descriptor, List<WireField> tree, Func<FieldDescriptor, bool> kind)
    {
        var candidates = AllFields(descriptor).Where(f => kind(f.Field)).ToList();
        if (candidates.Count == 0)
        {
            tree.Add(MessageForge.Unknown(random, MessageForge.UnknownNumber(random, descriptor)));
            return WireCodec.Encode(tree);
        }

        var (field, owner) = candidates[random.Next(candidates.Count)];
        var value = field.FieldType == FieldType.Enum
            ? new WireField { Number = field.FieldNumber, Type = WireFormat.WireType.Varint, Field = field, Value = HostileValues.EnumNumber(random, field.EnumType) }
            : new WireField { Number = field.FieldNumber, Type = WireFormat.WireType.LengthDelimited, Field = field, Bytes = HostileValues.String(random) };
        FindOrCreate(tree, descriptor, owner).Add(value);
        return WireCodec.Encode(tree);
    }

    /// <summary>The fields list of the first sub-message of type <paramref name="owner"/> (created along the shortest path if absent).</summary>
    private static List<WireField> FindOrCreate(List<WireField> tree, MessageDescriptor root, MessageDescriptor owner)
    {
        if (root == owner)
        {
            return tree;
        }

        foreach (var field in root.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message))
        {
            if (!Reaches(field.MessageType, owner, [root]))
            {
                continue;
            }

            var node = tree.FirstOrDefault(n => n.Number == field.FieldNumber && n.Children is not null);
            if (node is null)
            {
                node = new WireField { Number = field.FieldNumber, Type = WireFormat.WireType.LengthDelimited, Field = field, Children = [] };
                tree.Add(node);
            }

            return FindOrCreate(node.Children!, field.MessageType, owner);
        }

        return tree;
    }

    private static bool Reaches(MessageDescriptor from, MessageDescriptor to, HashSet<MessageDescriptor> seen)
    {
        if (from == to)
        {
            return true;
        }

        return seen.Add(from) && from.Fields.InFieldNumberOrder().Any(f => f.FieldType == FieldType.Message && Reaches(f.MessageType, to, seen));
    }

    private static IEnumerable<(FieldDescriptor Field, MessageDescriptor Owner)> AllFields(MessageDescriptor descriptor, HashSet<MessageDescriptor>? seen = null)
    {
        seen ??= [];
        if (!seen.Add(descriptor))
        {
            yield break;
        }

        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            yield return (field, descriptor);
            if (field.FieldType == FieldType.Message)
            {
                foreach (var inner in AllFields(field.MessageType, seen))
                {
                    yield return inner;
                }
            }
        }
    }

    private static (List<WireField> Fields, MessageDescriptor Owner) PickMessage(Random random, List<WireField> tree, MessageDescriptor descriptor)
    {
        var messages = new List<(List<WireField>, MessageDescriptor)> { (tree, descriptor) };
        messages.AddRange(Nodes(tree).Where(n => n.Children is not null && n.Field is { FieldType: FieldType.Message }).Select(n => (n.Children!, n.Field!.MessageType)));
        return messages[random.Next(messages.Count)];
    }

    private static IEnumerable<WireField> Nodes(List<WireField> fields)
    {
        foreach (var field in fields)
        {
            yield return field;
            if (field.Children is not null)
            {
                foreach (var inner in Nodes(field.Children))
                {
                    yield return inner;
                }
            }
        }
    }
}
