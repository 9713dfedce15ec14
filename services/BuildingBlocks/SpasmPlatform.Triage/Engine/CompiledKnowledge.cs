using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Findings;

namespace SpasmPlatform.Triage.Engine;

/// <summary>A knowledge version with every criterion and predicate of its rule set parsed once.</summary>
internal sealed class CompiledKnowledge
{
    public CompiledKnowledge(KnowledgeBase knowledge)
    {
        var parser = FindingPredicateParser.Submission;
        var rules = knowledge.RuleSet;
        Knowledge = knowledge;
        ConditionNames = knowledge.Conditions.ToDictionary(c => c.Code, c => c.Name, StringComparer.Ordinal);
        Levels = rules.UrgencyLevels.ToDictionary(l => l.Urgency);
        RedFlags = rules.RedFlagRules.Select(r => (r, CompiledCriterion.Compile(r.When, parser, $"red-flag rule '{r.Id}' when"))).ToArray();
        Ng65AppliesWhen = rules.Ng65 is null ? null : CompiledCriterion.Compile(rules.Ng65.AppliesWhen, parser, "ng65 applies_when");
        Ng65Criteria = rules.Ng65?.Criteria.Select(c => parser.Parse(c.When)).ToArray() ?? [];
        StartBackItems = rules.StartBack.Items.OrderBy(i => i.Number).Select(i => (i, parser.Parse(i.When))).ToArray();
        Referrals = rules.ReferralRules.Select(r => (r, CompiledCriterion.Compile(r.When, parser, $"referral rule '{r.Id}' when"))).ToArray();
        Causes = rules.CauseRules.Select(r => (r, r.Evidence.Select(e => parser.Parse(e.When)).ToArray())).ToArray();
        RiskFactors = rules.RiskFactorRules.Select(r => new CompiledRiskFactorRule(
            r,
            r.RiskFactors.Select((f, i) => CompiledCriterion.Compile(f.When, parser, $"risk-factor rule '{r.Id}' risk_factors[{i}] when")).ToArray(),
            r.NonSpecificSigns.Select((f, i) => CompiledCriterion.Compile(f.When, parser, $"risk-factor rule '{r.Id}' non_specific_signs[{i}] when")).ToArray())).ToArray();
        RuleOwnedSafetyNet = rules.RiskFactorRules.SelectMany(r => r.SafetyNet).ToHashSet(StringComparer.Ordinal);
        SafetyNet = rules.SafetyNet.Select(a => (a, a.When is null ? null : CompiledCriterion.Compile(a.When, parser, $"safety-net advice '{a.Id}' when"))).ToArray();
    }

    public KnowledgeBase Knowledge { get; }

    public RuleSet Rules => Knowledge.RuleSet;

    public IReadOnlyDictionary<string, string> ConditionNames { get; }

    public IReadOnlyDictionary<Urgency, UrgencyLevel> Levels { get; }

    public (RedFlagRule Rule, CompiledCriterion When)[] RedFlags { get; }

    public CompiledCriterion? Ng65AppliesWhen { get; }

    public FindingPredicate[] Ng65Criteria { get; }

    public (StartBackItem Item, FindingPredicate When)[] StartBackItems { get; }

    public (ReferralRule Rule, CompiledCriterion When)[] Referrals { get; }

    public (CauseRule Rule, FindingPredicate[] Evidence)[] Causes { get; }

    public CompiledRiskFactorRule[] RiskFactors { get; }

    /// <summary>Safety-net entries that a risk-factor rule gives when it fires, and that are given on no other occasion.</summary>
    public IReadOnlySet<string> RuleOwnedSafetyNet { get; }

    public (SafetyNetAdvice Advice, CompiledCriterion? When)[] SafetyNet { get; }
}

/// <summary>A risk-factor rule with its risk factors and non-specific signs compiled.</summary>
internal sealed record CompiledRiskFactorRule(RiskFactorRule Rule, CompiledCriterion[] RiskFactors, CompiledCriterion[] Signs);
