using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.Versioning;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Findings;

namespace SpasmPlatform.Knowledge.Loading;

internal sealed partial class KnowledgeValidator
{
    private void ValidateRuleSet()
    {
        var rules = _knowledge.RuleSet;
        if (!SemanticVersion.TryParse(rules.Version, out _))
        {
            Error($"rule_set: version '{rules.Version}' is not a semantic version (MAJOR.MINOR.PATCH).");
        }

        if (rules.ContentHash.Length > 0 || rules.KnowledgeVersion.Length > 0)
        {
            Error("rule_set: content_hash and knowledge_version are set by the loader; remove them.");
        }

        Sources(rules.Sources, "rule_set");
        UrgencyLevels(rules);
        RedFlagRules(rules);
        StartBack(rules.StartBack);
        Ng65(rules.Ng65);
        CauseRules(rules);
        ReferralRules(rules);
        RiskFactorRules(rules);
        SafetyNet(rules);
        FollowUp(rules);
        Unique(RuleIds(rules), "rule id");
    }

    private static IEnumerable<string> RuleIds(RuleSet rules) =>
        rules.RedFlagRules.Select(r => r.Id)
            .Append(rules.StartBack?.RuleId ?? string.Empty)
            .Append(rules.Ng65?.RuleId ?? string.Empty)
            .Concat(rules.CauseRules.Select(r => r.RuleId))
            .Concat(rules.ReferralRules.Select(r => r.Id))
            .Concat(rules.RiskFactorRules.Select(r => r.Id))
            .Concat(rules.SafetyNet.Select(r => r.Id))
            .Concat(rules.FollowUp.Select(r => r.Id))
            .Where(id => id.Length > 0);

    private void UrgencyLevels(RuleSet rules)
    {
        foreach (var urgency in Enum.GetValues<Urgency>().Where(u => u != Urgency.Unspecified))
        {
            var count = rules.UrgencyLevels.Count(l => l.Urgency == urgency);
            if (count != 1)
            {
                Error($"rule_set urgency_levels: {urgency} must be defined exactly once (found {count}).");
            }
        }

        foreach (var level in rules.UrgencyLevels)
        {
            var at = $"rule_set urgency_levels {level.Urgency}";
            Require(level.Label, $"{at}: label");
            Require(level.Disposition, $"{at}: disposition");
            Sources(level.Sources, at);
            if (level.ActWithinMinutes < -1 || (level.Urgency == Urgency.Emergency && level.ActWithinMinutes != 0))
            {
                Error($"{at}: act_within_minutes must be 0 for an emergency, and otherwise minutes or -1 for none.");
            }
        }
    }

    private void RedFlagRules(RuleSet rules)
    {
        var serious = _knowledge.Conditions.Where(c => c.Kind == ConditionKind.SeriousPathology).Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var rule in rules.RedFlagRules)
        {
            var at = $"red-flag rule '{rule.Id}'";
            Require(rule.Id, $"{at}: id");
            Require(rule.Description, $"{at}: description");
            Require(rule.Disposition, $"{at}: disposition");
            Sources(rule.Sources, at);
            if (!serious.Contains(rule.ConditionCode))
            {
                Error($"{at}: condition_code '{rule.ConditionCode}' is not a serious pathology of this knowledge base.");
            }

            if (rule.Urgency == Urgency.Unspecified)
            {
                Error($"{at}: urgency is required.");
            }

            if (rule.ActWithinMinutes < -1 || (rule.Urgency == Urgency.Emergency && rule.ActWithinMinutes != 0))
            {
                Error($"{at}: act_within_minutes must be 0 for an emergency, and otherwise minutes or -1 for the urgency's SLA.");
            }

            Criterion(rule.When, $"{at} when", required: true);
            if (rules.RiskFactorRules.Count > 0 && rule.Concern == Concern.Unspecified)
            {
                Error($"{at}: concern is required (CONCERN_SUSPECTED or CONCERN_TO_CONSIDER) in a rule set with risk_factor_rules.");
            }
        }

        // A serious pathology no rule can ever suspect would be silently missed.
        var reachable = rules.RedFlagRules.Select(r => r.ConditionCode).Append(rules.Ng65?.ConditionCode ?? string.Empty).ToHashSet(StringComparer.Ordinal);
        foreach (var code in serious.Where(c => !reachable.Contains(c)))
        {
            Error($"condition '{code}': no red-flag rule (or NG65 rule) suspects this serious pathology.");
        }
    }

    private void StartBack(StartBackRules? startBack)
    {
        if (startBack is null)
        {
            Error("rule_set: start_back is required.");
            return;
        }

        var at = $"start_back rule '{startBack.RuleId}'";
        Require(startBack.RuleId, $"{at}: rule_id");
        Require(startBack.NotAssessedDisposition, $"{at}: not_assessed_disposition");
        Sources(startBack.Sources, at);
        var numbers = startBack.Items.Select(i => i.Number).Order().ToList();
        if (!numbers.SequenceEqual(Enumerable.Range(1, 9)))
        {
            Error($"{at}: items must be numbered 1 to 9, once each (found {string.Join(", ", numbers)}).");
        }

        foreach (var item in startBack.Items)
        {
            Require(item.Text, $"{at} item {item.Number}: text");
            Predicate(item.When, $"{at} item {item.Number} when");
            if (item.Psychosocial != item.Number >= 5)
            {
                Error($"{at} item {item.Number}: the Keele psychosocial subscale is items 5 to 9.");
            }
        }

        if (startBack.LowRiskMaxTotal is < 0 or > 9 || startBack.HighRiskMinPsychosocial is < 1 or > 5)
        {
            Error($"{at}: low_risk_max_total must be 0..9 and high_risk_min_psychosocial 1..5.");
        }

        if (startBack.NotAssessedUrgency is Urgency.Unspecified or Urgency.SelfCare)
        {
            Error($"{at}: not_assessed_urgency must be set and above self-care: an unstratified patient is not assumed low risk.");
        }

        var interventions = _knowledge.Interventions.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var risk in new[] { StartBackRisk.Low, StartBackRisk.Medium, StartBackRisk.High })
        {
            var strata = startBack.Strata.Where(s => s.Risk == risk).ToList();
            if (strata.Count != 1)
            {
                Error($"{at}: stratum {risk} must be defined exactly once (found {strata.Count}).");
                continue;
            }

            var stratum = strata[0];
            Require(stratum.Disposition, $"{at} stratum {risk}: disposition");
            Sources(stratum.Sources, $"{at} stratum {risk}");
            if (stratum.Urgency == Urgency.Unspecified)
            {
                Error($"{at} stratum {risk}: urgency is required.");
            }

            foreach (var code in stratum.Interventions.Where(c => !interventions.Contains(c)))
            {
                Error($"{at} stratum {risk}: names unknown intervention '{code}'.");
            }
        }
    }

    private void Ng65(Ng65Rules? ng65)
    {
        if (ng65 is null)
        {
            Error("rule_set: ng65 is required.");
            return;
        }

        var at = $"ng65 rule '{ng65.RuleId}'";
        Require(ng65.RuleId, $"{at}: rule_id");
        Require(ng65.ReferDisposition, $"{at}: refer_disposition");
        Require(ng65.ConsiderDisposition, $"{at}: consider_disposition");
        Sources(ng65.Sources, at);
        if (!_knowledge.Conditions.Any(c => c.Code == ng65.ConditionCode && c.Kind == ConditionKind.SeriousPathology))
        {
            Error($"{at}: condition_code '{ng65.ConditionCode}' is not a serious pathology of this knowledge base.");
        }

        Criterion(ng65.AppliesWhen, $"{at} applies_when", required: true);
        foreach (var criterion in ng65.Criteria)
        {
            Require(criterion.Text, $"{at} criterion {criterion.Number}: text");
            Predicate(criterion.When, $"{at} criterion {criterion.Number} when");
        }

        if (ng65.Criteria.Count == 0 || ng65.ReferAtLeast < 1 || ng65.ReferAtLeast > ng65.Criteria.Count || ng65.ConsiderTestAt >= ng65.ReferAtLeast)
        {
            Error($"{at}: needs criteria, 1 <= refer_at_least <= their number, and consider_test_at below refer_at_least.");
        }

        if (ng65.ReferUrgency == Urgency.Unspecified)
        {
            Error($"{at}: refer_urgency is required.");
        }

        if (_knowledge.RuleSet.RiskFactorRules.Count > 0 && ng65.ReferConcern == Concern.Unspecified)
        {
            Error($"{at}: refer_concern is required in a rule set with risk_factor_rules.");
        }
    }

    private void CauseRules(RuleSet rules)
    {
        var causes = _knowledge.Conditions.Where(c => c.Kind is ConditionKind.MechanicalCause or ConditionKind.Other).Select(c => c.Code).ToHashSet(StringComparer.Ordinal);
        Unique(rules.CauseRules.Select(r => r.CauseCode), "cause rule for cause");
        if (rules.CauseReportThreshold is <= 0 or > 1)
        {
            Error($"rule_set: cause_report_threshold {rules.CauseReportThreshold} must be in (0, 1].");
        }

        foreach (var rule in rules.CauseRules)
        {
            var at = $"cause rule '{rule.RuleId}'";
            Require(rule.RuleId, $"{at}: rule_id");
            Require(rule.Description, $"{at}: description");
            Sources(rule.Sources, at);
            if (!causes.Contains(rule.CauseCode))
            {
                Error($"{at}: cause_code '{rule.CauseCode}' is not a mechanical or other cause of this knowledge base.");
            }

            if (rule.BaseScore is < 0 or > 1 || rule.Evidence.Count == 0)
            {
                Error($"{at}: needs base_score in [0, 1] and at least one evidence item.");
            }

            for (var i = 0; i < rule.Evidence.Count; i++)
            {
                Predicate(rule.Evidence[i].When, $"{at} evidence[{i}] when");
                if (rule.Evidence[i].Weight is <= 0 or > 1)
                {
                    Error($"{at} evidence[{i}]: weight {rule.Evidence[i].Weight} must be in (0, 1].");
                }
            }
        }

        foreach (var code in ContractLikelyCauses.Where(c => rules.CauseRules.All(r => r.CauseCode != c)))
        {
            Error($"rule_set: no cause rule scores the likely cause '{code}'.");
        }
    }

    private void ReferralRules(RuleSet rules)
    {
        foreach (var rule in rules.ReferralRules)
        {
            var at = $"referral rule '{rule.Id}'";
            Require(rule.Id, $"{at}: id");
            Require(rule.Description, $"{at}: description");
            Require(rule.Disposition, $"{at}: disposition");
            Sources(rule.Sources, at);
            if (rule.Urgency == Urgency.Unspecified)
            {
                Error($"{at}: urgency is required.");
            }

            Criterion(rule.When, $"{at} when", required: true);
        }
    }

    /// <summary>
    /// Risk-factor rules (from 1.2.0): a risk factor for serious pathology must never end in self-care, must name its
    /// condition, and must carry its own safety net; and no risk factor the knowledge base lists for a serious
    /// condition may be left out of that condition's rule.
    /// </summary>
    private void RiskFactorRules(RuleSet rules)
    {
        if (rules.RiskFactorRules.Count == 0)
        {
            return;
        }

        var serious = _knowledge.Conditions.Where(c => c.Kind == ConditionKind.SeriousPathology).ToDictionary(c => c.Code, StringComparer.Ordinal);
        foreach (var condition in serious.Values.Where(c => c.RiskFactors.Any(f => f.When.Length > 0) && rules.RiskFactorRules.All(r => r.ConditionCode != c.Code)))
        {
            Error($"condition '{condition.Code}': it lists risk factors with a finding predicate but no risk-factor rule reads them (a risk factor alone must never end in self-care).");
        }

        var safetyNet = rules.SafetyNet.ToDictionary(a => a.Id, StringComparer.Ordinal);
        foreach (var rule in rules.RiskFactorRules)
        {
            var at = $"risk-factor rule '{rule.Id}'";
            Require(rule.Id, $"{at}: id");
            Require(rule.Description, $"{at}: description");
            Sources(rule.Sources, at);
            if (!serious.ContainsKey(rule.ConditionCode))
            {
                Error($"{at}: condition_code '{rule.ConditionCode}' is not a serious pathology of this knowledge base.");
            }

            if (rules.RiskFactorRules.Count(r => r.ConditionCode == rule.ConditionCode) > 1)
            {
                Error($"{at}: condition '{rule.ConditionCode}' has more than one risk-factor rule; list every risk factor in one.");
            }

            if (rule.RiskFactors.Count == 0)
            {
                Error($"{at}: risk_factors needs at least one risk factor.");
            }

            foreach (var (item, i) in rule.RiskFactors.Select((f, i) => (f, i)).Concat(rule.NonSpecificSigns.Select((f, i) => (f, i + 1000))))
            {
                var itemAt = i < 1000 ? $"{at} risk_factors[{i}]" : $"{at} non_specific_signs[{i - 1000}]";
                Require(item.Text, $"{itemAt}: text");
                Criterion(item.When, $"{itemAt} when", required: true);
            }

            Level(rule.Alone, $"{at} alone");
            Level(rule.Escalated, $"{at} escalated");
            if (rule.Alone is not null && rule.Escalated is not null
                && (rule.Escalated.Urgency > rule.Alone.Urgency || rule.Escalated.Concern < rule.Alone.Concern))
            {
                Error($"{at}: escalated must be at least as urgent and as concerned as alone.");
            }

            if (rule.SafetyNet.Count == 0)
            {
                Error($"{at}: safety_net needs the condition's own safety-net advice.");
            }

            foreach (var id in rule.SafetyNet)
            {
                if (!safetyNet.TryGetValue(id, out var advice))
                {
                    Error($"{at}: safety_net '{id}' is not a safety-net advice id.");
                }
                else if (advice.When is not null)
                {
                    Error($"{at}: safety_net '{id}' is given whenever the rule fires, so it takes no when of its own.");
                }
                else if (advice.Urgencies.Count > 0 && !(advice.Urgencies.Contains(rule.Alone?.Urgency ?? Urgency.Unspecified) && advice.Urgencies.Contains(rule.Escalated?.Urgency ?? Urgency.Unspecified)))
                {
                    Error($"{at}: safety_net '{id}' must be given at the rule's alone and escalated urgencies.");
                }
            }

            foreach (var code in rule.EscalatesTo.Where(c => !serious.ContainsKey(c) || c == rule.ConditionCode))
            {
                Error($"{at}: escalates_to '{code}' is not another serious pathology of this knowledge base.");
            }

            if (serious.TryGetValue(rule.ConditionCode, out var condition))
            {
                Covered(rule, condition, at);
            }
        }
    }

    private void Level(RiskFactorLevel? level, string at)
    {
        if (level is null)
        {
            Error($"{at}: is required.");
            return;
        }

        if (level.Urgency is Urgency.Unspecified or Urgency.SelfCare)
        {
            Error($"{at}: urgency must be a clinician review (above self-care): a risk factor for serious pathology is never reassurance.");
        }

        if (level.Concern == Concern.Unspecified)
        {
            Error($"{at}: concern is required.");
        }

        Require(level.Disposition, $"{at}: disposition");
        Sources(level.Sources, at);
    }

    /// <summary>Every risk factor the condition lists with a finding predicate is one its rule reads.</summary>
    private void Covered(RiskFactorRule rule, Condition condition, string at)
    {
        var read = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in rule.RiskFactors.Concat(rule.NonSpecificSigns).Where(i => i.When is not null))
        {
            try
            {
                read.UnionWith(CompiledCriterion.Compile(item.When, _parser, at).Predicates.Select(p => p.Text));
            }
            catch (FindingPredicateException)
            {
                // Already reported by Criterion().
            }
        }

        foreach (var factor in condition.RiskFactors.Where(f => f.When.Length > 0 && !read.Contains(f.When)))
        {
            Error($"{at}: condition '{condition.Code}' lists the risk factor '{factor.When}', which the rule does not read.");
        }
    }

    private void SafetyNet(RuleSet rules)
    {
        foreach (var advice in rules.SafetyNet)
        {
            var at = $"safety-net advice '{advice.Id}'";
            Require(advice.Id, $"{at}: id");
            Require(advice.Text, $"{at}: text");
            Sources(advice.Sources, at);
            Criterion(advice.When, $"{at} when", required: false);
        }
    }

    private void FollowUp(RuleSet rules)
    {
        if (rules.FollowUp.Count == 0)
        {
            Error("rule_set: follow_up needs at least one rule.");
        }

        foreach (var rule in rules.FollowUp)
        {
            var at = $"follow-up rule '{rule.Id}'";
            Require(rule.Id, $"{at}: id");
            Require(rule.Description, $"{at}: description");
            Sources(rule.Sources, at);
            if (rule.Days <= 0)
            {
                Error($"{at}: days must be positive.");
            }
        }
    }
}
