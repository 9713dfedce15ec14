using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf.Reflection;
using SpasmPlatform.Assessment.V1;

namespace SpasmPlatform.Triage.Findings;

/// <summary>
/// Parses finding predicates against a message type (by default the submission contract,
/// <see cref="SubmitAssessmentRequest"/>). Grammar, one predicate per string:
/// <code>
///   PATH                               bool is true / message is present
///   PATH (== | != | &lt; | &lt;= | &gt; | &gt;=) NUMBER    int or double field
///   PATH (== | !=) ENUM_VALUE          enum field
///   PATH in [ENUM_VALUE, ...]          enum field
///   PATH contains ENUM_VALUE           repeated enum field
/// </code>
/// PATH is snake_case proto field names joined by dots. Anything that does not fit the contract is refused with a
/// message naming the predicate and the reason, because a rule over a misspelt field would silently never fire.
/// </summary>
public sealed partial class FindingPredicateParser(MessageDescriptor root)
{
    public static FindingPredicateParser Submission { get; } = new(SubmitAssessmentRequest.Descriptor);

    public MessageDescriptor Root { get; } = root;

    public FindingPredicate Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FindingPredicateException("A finding predicate is empty.");
        }

        var match = Grammar().Match(text);
        if (!match.Success)
        {
            throw new FindingPredicateException($"'{text}' is not a finding predicate: expected PATH, PATH OP NUMBER, PATH == ENUM_VALUE, PATH in [ENUM_VALUE, ...] or PATH contains ENUM_VALUE.");
        }

        var path = match.Groups["path"].Value;
        var fields = ResolvePath(text, path);
        var leaf = fields[^1];
        var op = match.Groups["op"].Success ? ParseOperator(match.Groups["op"].Value) : FindingOperator.IsSet;
        var operand = match.Groups["rhs"].Value.Trim();

        return op switch
        {
            FindingOperator.IsSet => IsSet(text, path, fields, leaf),
            FindingOperator.Contains => Contains(text, path, fields, leaf, operand),
            FindingOperator.In => In(text, path, fields, leaf, operand),
            _ => Comparison(text, path, fields, leaf, op, operand),
        };
    }

    private FieldDescriptor[] ResolvePath(string text, string path)
    {
        var segments = path.Split('.');
        var fields = new FieldDescriptor[segments.Length];
        var message = Root;
        for (var i = 0; i < segments.Length; i++)
        {
            if (message is null)
            {
                throw new FindingPredicateException($"'{text}': {string.Join('.', segments[..i])} is not a message, so it has no field '{segments[i]}'.");
            }

            var field = message.FindFieldByName(segments[i])
                ?? throw new FindingPredicateException($"'{text}': {message.Name} has no field '{segments[i]}' (known: {string.Join(", ", message.Fields.InFieldNumberOrder().Select(f => f.Name))}).");
            if (field.IsRepeated && i < segments.Length - 1)
            {
                throw new FindingPredicateException($"'{text}': {field.Name} is repeated; only its last segment may name a repeated field.");
            }

            fields[i] = field;
            message = field.FieldType == FieldType.Message ? field.MessageType : null;
        }

        return fields;
    }

    private static FindingPredicate IsSet(string text, string path, FieldDescriptor[] fields, FieldDescriptor leaf)
    {
        if (leaf.IsRepeated || (leaf.FieldType != FieldType.Bool && leaf.FieldType != FieldType.Message))
        {
            throw new FindingPredicateException($"'{text}': {path} is {Describe(leaf)}; a bare path needs a bool or message field (compare other fields with an operator).");
        }

        return new FindingPredicate(text, path, fields, FindingOperator.IsSet, 0, []);
    }

    private static FindingPredicate Contains(string text, string path, FieldDescriptor[] fields, FieldDescriptor leaf, string operand)
    {
        if (!leaf.IsRepeated || leaf.FieldType != FieldType.Enum)
        {
            throw new FindingPredicateException($"'{text}': 'contains' needs a repeated enum field; {path} is {Describe(leaf)}.");
        }

        return new FindingPredicate(text, path, fields, FindingOperator.Contains, 0, [EnumValue(text, leaf, operand)]);
    }

    private static FindingPredicate In(string text, string path, FieldDescriptor[] fields, FieldDescriptor leaf, string operand)
    {
        RequireSingleEnum(text, path, leaf, "in");
        if (!operand.StartsWith('[') || !operand.EndsWith(']'))
        {
            throw new FindingPredicateException($"'{text}': 'in' takes a bracketed list, e.g. [{leaf.EnumType.Values[^1].Name}].");
        }

        var names = operand[1..^1].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0)
        {
            throw new FindingPredicateException($"'{text}': the list after 'in' is empty.");
        }

        return new FindingPredicate(text, path, fields, FindingOperator.In, 0, names.Select(n => EnumValue(text, leaf, n)).ToArray());
    }

    private static FindingPredicate Comparison(string text, string path, FieldDescriptor[] fields, FieldDescriptor leaf, FindingOperator op, string operand)
    {
        if (leaf.IsRepeated)
        {
            throw new FindingPredicateException($"'{text}': {path} is repeated; use 'contains'.");
        }

        if (leaf.FieldType == FieldType.Enum)
        {
            if (op is not (FindingOperator.Equal or FindingOperator.NotEqual))
            {
                throw new FindingPredicateException($"'{text}': enum field {path} takes ==, != or in, not an ordering.");
            }

            return new FindingPredicate(text, path, fields, op, 0, [EnumValue(text, leaf, operand)]);
        }

        if (!IsNumeric(leaf))
        {
            throw new FindingPredicateException($"'{text}': {path} is {Describe(leaf)}; only int and double fields compare with numbers.");
        }

        if (!double.TryParse(operand, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new FindingPredicateException($"'{text}': '{operand}' is not a number.");
        }

        return new FindingPredicate(text, path, fields, op, number, []);
    }

    private static void RequireSingleEnum(string text, string path, FieldDescriptor leaf, string op)
    {
        if (leaf.IsRepeated || leaf.FieldType != FieldType.Enum)
        {
            throw new FindingPredicateException($"'{text}': '{op}' needs a (non-repeated) enum field; {path} is {Describe(leaf)}.");
        }
    }

    private static int EnumValue(string text, FieldDescriptor leaf, string name)
    {
        var value = leaf.EnumType.FindValueByName(name.Trim());
        if (value is null || value.Number == 0)
        {
            throw new FindingPredicateException($"'{text}': '{name.Trim()}' is not a value of {leaf.EnumType.Name} (known: {string.Join(", ", leaf.EnumType.Values.Where(v => v.Number != 0).Select(v => v.Name))}).");
        }

        return value.Number;
    }

    private static FindingOperator ParseOperator(string op) => op switch
    {
        "==" => FindingOperator.Equal,
        "!=" => FindingOperator.NotEqual,
        "<" => FindingOperator.Less,
        "<=" => FindingOperator.LessOrEqual,
        ">" => FindingOperator.Greater,
        ">=" => FindingOperator.GreaterOrEqual,
        "in" => FindingOperator.In,
        "contains" => FindingOperator.Contains,
        _ => throw new FindingPredicateException($"Unknown operator '{op}'."),
    };

    private static bool IsNumeric(FieldDescriptor field) => field.FieldType is FieldType.Int32 or FieldType.Int64 or FieldType.UInt32
        or FieldType.UInt64 or FieldType.SInt32 or FieldType.SInt64 or FieldType.Fixed32 or FieldType.Fixed64
        or FieldType.SFixed32 or FieldType.SFixed64 or FieldType.Double or FieldType.Float;

    private static string Describe(FieldDescriptor field)
    {
        var type = field.FieldType switch
        {
            FieldType.Enum => $"enum ({field.EnumType.Name}) field",
            FieldType.Message => $"message ({field.MessageType.Name}) field",
            _ => $"{field.FieldType.ToString().ToLowerInvariant()} field",
        };
        return field.IsRepeated ? $"a repeated {type}" : ("aeiou".Contains(type[0]) ? "an " : "a ") + type;
    }

    [GeneratedRegex(@"^\s*(?<path>[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)(?:\s*(?<op>==|!=|<=|>=|<|>)\s*(?<rhs>\S.*?)|\s+(?<op>in|contains)\s+(?<rhs>\S.*?))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
