using System.Collections;
using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>
/// Makes a rule set's criterion hold on a submission by setting the fields its predicates read (all: every member;
/// any / at_least: the first ones). Written apart from the engine's compiler, from the predicate grammar alone, so
/// a table of cases generated from the rule set does not share the code it tests.
/// </summary>
internal static partial class CriterionSatisfier
{
    public static void Satisfy(SubmitAssessmentRequest submission, Criterion criterion)
    {
        switch (criterion.KindCase)
        {
            case Criterion.KindOneofCase.Finding:
                Satisfy(submission, criterion.Finding);
                break;
            case Criterion.KindOneofCase.All:
                criterion.All.Of.ToList().ForEach(c => Satisfy(submission, c));
                break;
            case Criterion.KindOneofCase.Any:
                Satisfy(submission, criterion.Any.Of[0]);
                break;
            case Criterion.KindOneofCase.AtLeast:
                criterion.AtLeast.Of.Take(criterion.AtLeast.Count).ToList().ForEach(c => Satisfy(submission, c));
                break;
            default:
                throw new NotSupportedException($"cannot satisfy {criterion.KindCase}");
        }

        // A first onset older than the patient would be refused at the edge; keep generated cases valid.
        if (submission.Presentation.HasAgeAtFirstOnsetYears && submission.Presentation.AgeAtFirstOnsetYears > submission.AgeYears)
        {
            submission.AgeYears = submission.Presentation.AgeAtFirstOnsetYears;
        }
    }

    public static void Satisfy(SubmitAssessmentRequest submission, string predicate)
    {
        var match = Grammar().Match(predicate);
        if (!match.Success)
        {
            throw new NotSupportedException($"cannot read '{predicate}'");
        }

        var (message, field) = Resolve(submission, match.Groups["path"].Value);
        var op = match.Groups["op"].Success ? match.Groups["op"].Value : string.Empty;
        var operand = match.Groups["operand"].Value.Trim();
        switch (op)
        {
            case "":
                field.Accessor.SetValue(message, true);
                break;
            case "==":
                field.Accessor.SetValue(message, EnumValue(field, operand));
                break;
            case "in":
                field.Accessor.SetValue(message, EnumValue(field, operand.Trim('[', ']').Split(',')[0].Trim()));
                break;
            case "contains":
                var list = (IList)field.Accessor.GetValue(message);
                var value = EnumValue(field, operand);
                if (!list.Contains(value))
                {
                    list.Add(value);
                }

                break;
            default:
                var bound = double.Parse(operand, CultureInfo.InvariantCulture);
                var target = op switch
                {
                    ">=" or "<=" => bound,
                    ">" => Math.Floor(bound) + 1,
                    "<" => Math.Ceiling(bound) - 1,
                    _ => throw new NotSupportedException(op),
                };
                field.Accessor.SetValue(message, field.FieldType == FieldType.Double ? target : (object)(int)target);
                break;
        }
    }

    private static (IMessage Message, FieldDescriptor Field) Resolve(IMessage root, string path)
    {
        var parts = path.Split('.');
        var message = root;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            var holder = message.Descriptor.FindFieldByName(parts[i]) ?? throw new NotSupportedException(path);
            var child = (IMessage?)holder.Accessor.GetValue(message);
            if (child is null)
            {
                child = holder.MessageType.Parser.ParseFrom(ByteString.Empty);
                holder.Accessor.SetValue(message, child);
            }

            message = child;
        }

        return (message, message.Descriptor.FindFieldByName(parts[^1]) ?? throw new NotSupportedException(path));
    }

    private static object EnumValue(FieldDescriptor field, string name)
    {
        var number = field.EnumType.FindValueByName(name)?.Number ?? throw new NotSupportedException(name);
        return Enum.ToObject(field.EnumType.ClrType, number);
    }

    [GeneratedRegex(@"^\s*(?<path>[a-z_0-9.]+)\s*(?:(?<op>==|>=|<=|>|<|in|contains)\s*(?<operand>.+))?$")]
    private static partial Regex Grammar();
}
