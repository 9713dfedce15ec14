using Google.Protobuf;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Triage.Findings;

/// <summary>
/// A rule set's <see cref="Criterion"/> with every predicate parsed. Evaluation reports which finding paths made it
/// hold, so a triage can name the evidence behind every rule that fired.
/// </summary>
public abstract class CompiledCriterion
{
    /// <summary>Whether the criterion holds; if so, the paths of the findings that made it hold are added to <paramref name="findings"/>.</summary>
    public abstract bool Evaluate(IMessage submission, ICollection<string> findings);

    public bool Evaluate(IMessage submission) => Evaluate(submission, new List<string>());

    /// <summary>
    /// Adds the text of every finding predicate in the criterion that does not hold for <paramref name="submission"/>:
    /// what a clinician could still ask about. Members of a <c>none</c> group are left out (their absence is what counts).
    /// </summary>
    public abstract void CollectUnmet(IMessage submission, ICollection<string> unmet);

    /// <summary>Every finding predicate of the criterion, in order (members of <c>none</c> groups excluded).</summary>
    public abstract IEnumerable<FindingPredicate> Predicates { get; }

    /// <summary>Compiles <paramref name="criterion"/>; <paramref name="location"/> prefixes every error (e.g. "rule RF-CES-01 when").</summary>
    public static CompiledCriterion Compile(Criterion criterion, FindingPredicateParser parser, string location)
    {
        ArgumentNullException.ThrowIfNull(criterion);
        return criterion.KindCase switch
        {
            Criterion.KindOneofCase.Finding => new Leaf(Predicate(parser, criterion.Finding, location)),
            Criterion.KindOneofCase.All => new Group(Members(criterion.All.Of, parser, $"{location}.all"), GroupKind.All, 0),
            Criterion.KindOneofCase.Any => new Group(Members(criterion.Any.Of, parser, $"{location}.any"), GroupKind.Any, 0),
            Criterion.KindOneofCase.None_ => new Group(Members(criterion.None.Of, parser, $"{location}.none"), GroupKind.None, 0),
            Criterion.KindOneofCase.AtLeast => AtLeast(criterion.AtLeast, parser, $"{location}.at_least"),
            _ => throw new FindingPredicateException($"{location}: the criterion is empty (give a finding, all, any, none or at_least)."),
        };
    }

    private static FindingPredicate Predicate(FindingPredicateParser parser, string text, string location)
    {
        try
        {
            return parser.Parse(text);
        }
        catch (FindingPredicateException e)
        {
            throw new FindingPredicateException($"{location}: {e.Message}");
        }
    }

    private static CompiledCriterion AtLeast(AtLeast atLeast, FindingPredicateParser parser, string location)
    {
        var members = Members(atLeast.Of, parser, location);
        if (atLeast.Count < 1 || atLeast.Count > members.Length)
        {
            throw new FindingPredicateException($"{location}: count {atLeast.Count} must be between 1 and the {members.Length} members.");
        }

        return new Group(members, GroupKind.AtLeast, atLeast.Count);
    }

    private static CompiledCriterion[] Members(IList<Criterion> of, FindingPredicateParser parser, string location)
    {
        if (of.Count == 0)
        {
            throw new FindingPredicateException($"{location}: the group has no members.");
        }

        return of.Select((c, i) => Compile(c, parser, $"{location}[{i}]")).ToArray();
    }

    private enum GroupKind
    {
        All,
        Any,
        None,
        AtLeast,
    }

    private sealed class Leaf(FindingPredicate predicate) : CompiledCriterion
    {
        public override bool Evaluate(IMessage submission, ICollection<string> findings)
        {
            if (!predicate.Evaluate(submission))
            {
                return false;
            }

            if (!findings.Contains(predicate.Path))
            {
                findings.Add(predicate.Path);
            }

            return true;
        }

        public override void CollectUnmet(IMessage submission, ICollection<string> unmet)
        {
            if (!predicate.Evaluate(submission) && !unmet.Contains(predicate.Text))
            {
                unmet.Add(predicate.Text);
            }
        }

        public override IEnumerable<FindingPredicate> Predicates => [predicate];
    }

    private sealed class Group(CompiledCriterion[] members, GroupKind kind, int count) : CompiledCriterion
    {
        public override bool Evaluate(IMessage submission, ICollection<string> findings)
        {
            var held = new List<string>();
            var holding = 0;
            foreach (var member in members)
            {
                // Every member is evaluated (no short-circuit) so the evidence list is complete, not just the first hit.
                if (member.Evaluate(submission, held))
                {
                    holding++;
                }
            }

            var result = kind switch
            {
                GroupKind.All => holding == members.Length,
                GroupKind.Any => holding > 0,
                GroupKind.None => holding == 0,
                _ => holding >= count,
            };
            if (result && kind != GroupKind.None)
            {
                foreach (var path in held)
                {
                    if (!findings.Contains(path))
                    {
                        findings.Add(path);
                    }
                }
            }

            return result;
        }

        public override void CollectUnmet(IMessage submission, ICollection<string> unmet)
        {
            if (kind == GroupKind.None)
            {
                return;
            }

            foreach (var member in members)
            {
                member.CollectUnmet(submission, unmet);
            }
        }

        public override IEnumerable<FindingPredicate> Predicates =>
            kind == GroupKind.None ? [] : members.SelectMany(m => m.Predicates);
    }
}
