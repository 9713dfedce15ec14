using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>The identifying fields of a message (clinic, patient, assessment, plan), found by name wherever they are.</summary>
internal static class RequestFields
{
    public const string ClinicId = "clinic_id";
    private const int MaxDepth = 6;
    // The largest page any list answers (500 assessments or plans) names up to four identifying values per record;
    // the log must name every one of them, so the bound sits above that and only stops a pathological message.
    private const int MaxValues = 4096;

    private static readonly HashSet<string> Identifying = new(StringComparer.Ordinal)
    {
        ClinicId, "patient_ref", "assessment_id", "care_plan_id", "stream_id",
    };

    /// <summary>The top-level string field <paramref name="name"/>, or null when the message has none.</summary>
    public static string? TopLevel(IMessage message, string name) =>
        message.Descriptor.FindFieldByName(name) is { FieldType: FieldType.String, IsRepeated: false } field
            ? (string)field.Accessor.GetValue(message)
            : null;

    /// <summary>
    /// Every non-empty identifying value in the message and its sub-messages (bounded: a list response names at most
    /// a page of records), by field name, for the access log.
    /// </summary>
    public static SortedDictionary<string, SortedSet<string>> Collect(IMessage? message)
    {
        var found = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var count = 0;
        if (message is not null)
        {
            Walk(message, 0, found, ref count);
        }

        return found;
    }

    private static void Walk(IMessage message, int depth, SortedDictionary<string, SortedSet<string>> found, ref int count)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            if (count >= MaxValues)
            {
                return;
            }

            if (field.FieldType == FieldType.String && !field.IsRepeated && Identifying.Contains(field.Name))
            {
                if (field.Accessor.GetValue(message) is string { Length: > 0 } value)
                {
                    if (!found.TryGetValue(field.Name, out var values))
                    {
                        found[field.Name] = values = new SortedSet<string>(StringComparer.Ordinal);
                    }

                    if (values.Add(value))
                    {
                        count++;
                    }
                }
            }
            else if (field.FieldType == FieldType.Message && !field.IsMap)
            {
                if (field.IsRepeated)
                {
                    foreach (var item in (System.Collections.IList)field.Accessor.GetValue(message))
                    {
                        Walk((IMessage)item, depth + 1, found, ref count);
                    }
                }
                else if (field.Accessor.GetValue(message) is IMessage child)
                {
                    Walk(child, depth + 1, found, ref count);
                }
            }
        }
    }
}
