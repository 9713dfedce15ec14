using System.Collections;
using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using SpasmPlatform.Knowledge.V1;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SpasmPlatform.Knowledge.Loading;

/// <summary>
/// Reads YAML straight into protobuf messages, guided by their descriptors: keys are proto field names, enum values
/// their full names, and every key, type or value that does not fit is reported with file, line and column.
/// Two shorthands keep rules readable: a plain string where a <see cref="Criterion"/> goes is a finding predicate,
/// and a list where a <see cref="CriterionGroup"/> goes is its members.
/// </summary>
internal sealed class YamlProtoReader(string file, List<string> errors)
{
    public static T Read<T>(ContentFileText content, List<string> errors)
        where T : IMessage<T>, new()
    {
        var message = new T();
        YamlStream stream = [];
        try
        {
            stream.Load(new StringReader(content.Text));
        }
        catch (YamlException e)
        {
            errors.Add($"{content.Path}:{e.Start.Line}:{e.Start.Column}: not valid YAML: {e.Message}");
            return message;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, not a YamlException, on some malformed flow mappings ("- {{a: b}"),
            // found by the fuzzer; without this the publish failed with UNKNOWN instead of naming the file.
            errors.Add($"{content.Path}: not valid YAML (the parser could not read it).");
            return message;
        }

        if (stream.Documents.Count != 1)
        {
            errors.Add($"{content.Path}: expected exactly one YAML document, found {stream.Documents.Count}.");
            return message;
        }

        new YamlProtoReader(content.Path, errors).ReadInto(stream.Documents[0].RootNode, message, message.Descriptor.Name);
        return message;
    }

    private void ReadInto(YamlNode node, IMessage target, string path)
    {
        if (node is not YamlMappingNode mapping)
        {
            Error(node, $"{path}: expected a mapping of {target.Descriptor.Name} fields.");
            return;
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? string.Empty;
            var field = target.Descriptor.FindFieldByName(key);
            if (field is null)
            {
                Error(keyNode, $"{path}: {target.Descriptor.Name} has no field '{key}' (known: {string.Join(", ", target.Descriptor.Fields.InDeclarationOrder().Select(f => f.Name))}).");
                continue;
            }

            if (IsNull(valueNode))
            {
                continue;
            }

            var fieldPath = $"{path}.{key}";
            if (field.IsMap)
            {
                Error(valueNode, $"{fieldPath}: map fields are not supported in content.");
            }
            else if (field.IsRepeated)
            {
                ReadRepeated(valueNode, field, target, fieldPath);
            }
            else if (Convert(valueNode, field, fieldPath) is { } value)
            {
                field.Accessor.SetValue(target, value);
            }
        }
    }

    private void ReadRepeated(YamlNode node, FieldDescriptor field, IMessage target, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"{path}: expected a list.");
            return;
        }

        var list = (IList)field.Accessor.GetValue(target);
        var index = 0;
        foreach (var item in sequence.Children)
        {
            if (Convert(item, field, $"{path}[{index++}]") is { } value)
            {
                list.Add(value);
            }
        }
    }

    private object? Convert(YamlNode node, FieldDescriptor field, string path)
    {
        if (field.FieldType == FieldType.Message)
        {
            return ConvertMessage(node, field.MessageType, path);
        }

        if (node is not YamlScalarNode scalar || scalar.Value is null)
        {
            Error(node, $"{path}: expected a single value ({field.FieldType.ToString().ToLowerInvariant()}).");
            return null;
        }

        var text = scalar.Value;
        object? value = field.FieldType switch
        {
            FieldType.String => text,
            FieldType.Bool => text switch { "true" => true, "false" => false, _ => null },
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null,
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : null,
            FieldType.Double => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null,
            FieldType.Enum => field.EnumType.FindValueByName(text) is { } v ? Enum.ToObject(field.EnumType.ClrType, v.Number) : null,
            _ => null,
        };
        if (value is null)
        {
            var expected = field.FieldType == FieldType.Enum
                ? $"one of {string.Join(", ", field.EnumType.Values.Select(v => v.Name))}"
                : $"a {field.FieldType.ToString().ToLowerInvariant()}";
            Error(node, $"{path}: '{text}' is not {expected}.");
        }

        return value;
    }

    private IMessage? ConvertMessage(YamlNode node, MessageDescriptor type, string path)
    {
        var message = type.Parser.ParseFrom(ByteString.Empty);
        if (type == Criterion.Descriptor && node is YamlScalarNode { Value: { } finding })
        {
            return new Criterion { Finding = finding };
        }

        if (type == CriterionGroup.Descriptor && node is YamlSequenceNode)
        {
            ReadRepeated(node, CriterionGroup.Descriptor.FindFieldByNumber(CriterionGroup.OfFieldNumber), message, $"{path}.of");
            return message;
        }

        ReadInto(node, message, path);
        return message;
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    private void Error(YamlNode node, string message) =>
        errors.Add($"{file}:{node.Start.Line}:{node.Start.Column}: {message}");
}
