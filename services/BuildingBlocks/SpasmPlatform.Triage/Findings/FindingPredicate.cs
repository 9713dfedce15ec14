using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SpasmPlatform.Triage.Findings;

/// <summary>
/// One compiled finding over a submission, e.g. <c>red_flags.saddle_anaesthesia</c>, <c>age_years &gt;= 50</c>,
/// <c>presentation.leg_pain in [LEG_PAIN_BOTH_LEGS]</c>, <c>risk_factors contains RISK_FACTOR_DEHYDRATION</c>.
/// Parsed once against the contract's descriptors (see <see cref="FindingPredicateParser"/>), then evaluated
/// through a delegate compiled from the generated properties (FindingPredicateCompiler): an absent message or
/// optional field on the way never matches.
/// </summary>
public sealed class FindingPredicate
{
    private readonly FieldDescriptor[] _fields;
    private readonly double _number;
    private readonly int[] _enumValues;
    private readonly Lazy<Func<IMessage, bool>> _compiled;

    internal FindingPredicate(string text, string path, FieldDescriptor[] fields, FindingOperator op, double number, int[] enumValues)
    {
        Text = text;
        Path = path;
        _fields = fields;
        Operator = op;
        _number = number;
        _enumValues = enumValues;
        // Compiled on first use: validating a bundle parses every predicate but evaluates none.
        _compiled = new Lazy<Func<IMessage, bool>>(() => FindingPredicateCompiler.Compile(_fields, Operator, _number, _enumValues));
    }

    /// <summary>The predicate as written.</summary>
    public string Text { get; }

    /// <summary>The field path it reads: what a triage reports as the finding.</summary>
    public string Path { get; }

    public FindingOperator Operator { get; }

    public bool Evaluate(IMessage submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (submission.Descriptor != _fields[0].ContainingType)
        {
            throw new ArgumentException($"'{Text}' reads {_fields[0].ContainingType.Name}, not {submission.Descriptor.Name}.", nameof(submission));
        }

        return _compiled.Value(submission);
    }

    public override string ToString() => Text;
}
