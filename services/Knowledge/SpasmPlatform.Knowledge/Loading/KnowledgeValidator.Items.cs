using Google.Protobuf.Collections;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Loading;

internal sealed partial class KnowledgeValidator
{
    private void ValidateConditions()
    {
        Unique(_knowledge.Conditions.Select(c => c.Code), "condition");
        var interventions = _knowledge.Interventions.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var condition in _knowledge.Conditions)
        {
            var at = $"condition '{condition.Code}'";
            NamedItem(condition.Code, condition.Name, condition.Summary, condition.Sources, at);
            if (condition.Kind == ConditionKind.Unspecified)
            {
                Error($"{at}: kind is required.");
            }

            if (condition.Kind == ConditionKind.SeriousPathology)
            {
                if (condition.Urgency == Urgency.Unspecified)
                {
                    Error($"{at}: a serious pathology needs its urgency.");
                }

                Require(condition.Action, $"{at}: action");
            }

            Findings(condition.Findings, $"{at} findings");
            Findings(condition.RiskFactors, $"{at} risk_factors");
            Claims(condition.Claims, at);
            foreach (var code in condition.Interventions.Where(c => !interventions.Contains(c)))
            {
                Error($"{at}: names unknown intervention '{code}'.");
            }
        }

        var defined = _knowledge.Conditions.ToDictionary(c => c.Code, StringComparer.Ordinal);
        foreach (var code in ContractSeriousConditions)
        {
            if (!defined.TryGetValue(code, out var condition) || condition.Kind != ConditionKind.SeriousPathology)
            {
                Error($"condition '{code}': the contract names this serious pathology; define it with kind CONDITION_KIND_SERIOUS_PATHOLOGY.");
            }
        }

        foreach (var code in ContractLikelyCauses.Where(c => !defined.ContainsKey(c)))
        {
            Error($"condition '{code}': the contract names this likely cause; define it.");
        }
    }

    /// <summary>What every condition and intervention needs: a code, a name, a summary and sources.</summary>
    private void NamedItem(string code, string name, string summary, RepeatedField<Citation> sources, string at)
    {
        Code(code, at);
        Require(name, $"{at}: name");
        Require(summary, $"{at}: summary");
        Sources(sources, at);
    }

    private void Findings(RepeatedField<Finding> findings, string at)
    {
        for (var i = 0; i < findings.Count; i++)
        {
            var finding = findings[i];
            Require(finding.Text, $"{at}[{i}]: text");
            Sources(finding.Sources, $"{at}[{i}]");
            if (finding.When.Length > 0)
            {
                Predicate(finding.When, $"{at}[{i}] when");
            }
        }
    }

    private void Claims(RepeatedField<ArticleClaim> claims, string at)
    {
        for (var i = 0; i < claims.Count; i++)
        {
            var claim = claims[i];
            var where = $"{at} claims[{i}]";
            Require(claim.Claim, $"{where}: claim");
            Require(claim.Guidance, $"{where}: guidance");
            Sources(claim.Sources, where);
            Sources(claim.GuidelineSources, $"{where} guideline_sources");
            if (claim.GuidelineStance == Stance.Unspecified)
            {
                Error($"{where}: guideline_stance is required: what guidance says of the claim.");
            }

            foreach (var citation in claim.Sources.Where(c => !c.SourceId.StartsWith(ArticlePrefix, StringComparison.Ordinal)))
            {
                Error($"{where}: a claim's sources are the articles making it; '{citation.SourceId}' belongs in guideline_sources.");
            }

            foreach (var citation in claim.GuidelineSources.Where(c => c.SourceId.StartsWith(ArticlePrefix, StringComparison.Ordinal)))
            {
                Error($"{where}: guideline_sources must be guidance, not the article '{citation.SourceId}'.");
            }
        }
    }

    private void ValidateInterventions()
    {
        Unique(_knowledge.Interventions.Select(i => i.Code), "intervention");
        foreach (var intervention in _knowledge.Interventions)
        {
            var at = $"intervention '{intervention.Code}'";
            NamedItem(intervention.Code, intervention.Name, intervention.Summary, intervention.Sources, at);
            if (intervention.Stance == Stance.Unspecified)
            {
                Error($"{at}: stance is required.");
            }

            InterventionRules(intervention.ContraindicationRules, $"{at} contraindication_rules");
            InterventionRules(intervention.CautionRules, $"{at} caution_rules");
            Claims(intervention.Claims, at);
        }
    }

    private void InterventionRules(RepeatedField<InterventionRule> rules, string at)
    {
        for (var i = 0; i < rules.Count; i++)
        {
            Require(rules[i].Text, $"{at}[{i}]: text");
            Sources(rules[i].Sources, $"{at}[{i}]");
            if (rules[i].When.Length > 0)
            {
                Predicate(rules[i].When, $"{at}[{i}] when");
            }
        }
    }

    private void ValidateSafetyWarnings()
    {
        Unique(_knowledge.SafetyWarnings.Select(w => w.Code), "safety warning");
        var interventions = _knowledge.Interventions.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var warning in _knowledge.SafetyWarnings)
        {
            var at = $"safety warning '{warning.Code}'";
            Code(warning.Code, at);
            Require(warning.Text, $"{at}: text");
            Sources(warning.Sources, at);
            foreach (var code in warning.Interventions.Where(c => !interventions.Contains(c)))
            {
                Error($"{at}: names unknown intervention '{code}'.");
            }

            Criterion(warning.AppliesWhen, $"{at} applies_when", required: false);
        }
    }
}
