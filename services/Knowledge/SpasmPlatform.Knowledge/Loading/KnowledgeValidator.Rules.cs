using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.Versioning;
using SpasmPlatform.Knowledge.V1;

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
