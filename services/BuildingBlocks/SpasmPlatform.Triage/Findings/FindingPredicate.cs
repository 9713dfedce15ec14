using System.Collections;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Triage.Findings;

/// <summary>
/// One compiled finding over a submission, e.g. <c>red_flags.saddle_anaesthesia</c>, <c>age_years &gt;= 50</c>,
/// <c>presentation.leg_pain in [LEG_PAIN_BOTH_LEGS]</c>, <c>risk_factors contains RISK_FACTOR_DEHYDRATION</c>.
/// Parsed once against the contract's descriptors (see <see cref="FindingPredicateParser"/>), then evaluated
/// by reflection: an absent message or optional field on the way never matches.
/// </summary>
public sealed class FindingPredicate
{
    private readonly FieldDescriptor[] _fields;
    private readonly double _number;
    private readonly int[] _enumValues;

    internal FindingPredicate(string text, string path, FieldDescriptor[] fields, FindingOperator op, double number, int[] enumValues)
    {
        Text = text;
        Path = path;
        _fields = fields;
        Operator = op;
        _number = number;
        _enumValues = enumValues;
    }

    /// <summary>The predicate as written.</summary>
    public string Text { get; }

    /// <summary>The field path it reads: what a triage reports as the finding.</summary>
    public string Path { get; }

    public FindingOperator Operator { get; }

    public bool Evaluate(IMessage submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        IMessage message = submission;
        for (var i = 0; i < _fields.Length - 1; i++)
        {
            if (_fields[i].Accessor.GetValue(message) is not IMessage next)
            {
                return false;
            }

            message = next;
        }

        var leaf = _fields[^1];
        if (leaf.HasPresence && !leaf.IsRepeated && !leaf.Accessor.HasValue(message))
        {
            return false;
        }

        var value = leaf.Accessor.GetValue(message);
        return Operator switch
        {
            FindingOperator.IsSet => value is bool flag ? flag : value is not null,
            FindingOperator.Contains => ContainsAny((IList)value),
            FindingOperator.In => Array.IndexOf(_enumValues, Convert.ToInt32(value)) >= 0,
            _ when leaf.FieldType == FieldType.Enum => Compare(Convert.ToInt32(value), _enumValues[0]),
            _ => Compare(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture), _number),
        };
    }

    public override string ToString() => Text;

    private bool ContainsAny(IList values)
    {
        foreach (var item in values)
        {
            if (Array.IndexOf(_enumValues, Convert.ToInt32(item)) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private bool Compare(double actual, double expected) => Operator switch
    {
        FindingOperator.Equal => actual == expected,
        FindingOperator.NotEqual => actual != expected,
        FindingOperator.Less => actual < expected,
        FindingOperator.LessOrEqual => actual <= expected,
        FindingOperator.Greater => actual > expected,
        FindingOperator.GreaterOrEqual => actual >= expected,
        _ => throw new InvalidOperationException($"Operator {Operator} does not compare numbers."),
    };
}
