using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Audit;

/// <summary>
/// Field-by-field differences between two messages of one type, by proto field path ("likely_causes[1].score:
/// 0.55 -> 0.6"). Driven by the descriptors, so a field added to the contract is compared without touching this.
/// </summary>
public static class MessageDiff
{
    /// <param name="ignore">Field paths (without indexes, e.g. "override") left out of the comparison.</param>
    public static IReadOnlyList<string> Compare(IMessage recorded, IMessage replayed, IReadOnlySet<string>? ignore = null)
    {
        ArgumentNullException.ThrowIfNull(recorded);
        ArgumentNullException.ThrowIfNull(replayed);
        if (recorded.Descriptor != replayed.Descriptor)
        {
            throw new ArgumentException($"Cannot compare a {recorded.Descriptor.FullName} with a {replayed.Descriptor.FullName}.", nameof(replayed));
        }

        var differences = new List<string>();
        Messages(recorded, replayed, string.Empty, string.Empty, ignore ?? new HashSet<string>(StringComparer.Ordinal), differences);
        return differences;
    }

    private static void Messages(IMessage? a, IMessage? b, string path, string schemaPath, IReadOnlySet<string> ignore, List<string> differences)
    {
        if (a is null || b is null)
        {
            if (a is not null || b is not null)
            {
                differences.Add($"{path}: {Text(a)} -> {Text(b)}");
            }

            return;
        }

        foreach (var field in a.Descriptor.Fields.InFieldNumberOrder())
        {
            var fieldSchemaPath = schemaPath.Length == 0 ? field.Name : $"{schemaPath}.{field.Name}";
            if (ignore.Contains(fieldSchemaPath))
            {
                continue;
            }

            var fieldPath = path.Length == 0 ? field.Name : $"{path}.{field.Name}";
            var left = field.Accessor.GetValue(a);
            var right = field.Accessor.GetValue(b);
            if (field.IsRepeated)
            {
                Repeated((System.Collections.IList)left, (System.Collections.IList)right, field, fieldPath, fieldSchemaPath, ignore, differences);
            }
            else
            {
                Value(left, right, field, fieldPath, fieldSchemaPath, ignore, differences);
            }
        }
    }

    private static void Repeated(
        System.Collections.IList left, System.Collections.IList right, FieldDescriptor field, string path, string schemaPath, IReadOnlySet<string> ignore, List<string> differences)
    {
        var common = Math.Min(left.Count, right.Count);
        for (var i = 0; i < common; i++)
        {
            Value(left[i], right[i], field, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), schemaPath, ignore, differences);
        }

        for (var i = common; i < left.Count; i++)
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]: {Text(left[i])} -> (absent)"));
        }

        for (var i = common; i < right.Count; i++)
        {
            differences.Add(string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]: (absent) -> {Text(right[i])}"));
        }
    }

    private static void Value(object? left, object? right, FieldDescriptor field, string path, string schemaPath, IReadOnlySet<string> ignore, List<string> differences)
    {
        if (field.FieldType == FieldType.Message && (left is IMessage || right is IMessage) && !IsWellKnownValue(field))
        {
            Messages(left as IMessage, right as IMessage, path, schemaPath, ignore, differences);
        }
        else if (!Equals(left, right))
        {
            differences.Add($"{path}: {Text(left)} -> {Text(right)}");
        }
    }

    // Timestamps and the like read better whole than as seconds and nanos.
    private static bool IsWellKnownValue(FieldDescriptor field) =>
        field.MessageType.File.Package == "google.protobuf";

    private static string Text(object? value) => value switch
    {
        null => "(absent)",
        string s => $"\"{s}\"",
        IMessage message => JsonFormatter.Default.Format(message),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
