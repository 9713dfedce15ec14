using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Triage.Engine;

public sealed partial class TriageEngine
{
    private void EvaluateRedFlags(Evaluation evaluation)
    {
        foreach (var (rule, when) in _knowledge.RedFlags)
        {
            var findings = new List<string>();
            if (!when.Evaluate(evaluation.Submission, findings))
            {
                continue;
            }

            evaluation.Suspect(rule.ConditionCode, rule.Urgency, rule.Id, findings, rule.Sources, rule.Concern);
            evaluation.Candidates.Add(new Candidate(rule.Urgency, evaluation.ActWithin(rule.Urgency, rule.ActWithinMinutes), rule.Disposition));
            evaluation.Step(rule.Id, rule.Description, findings, $"suspect {rule.ConditionCode}: {Describe(rule.Urgency)}", rule.Sources);
        }
    }

    /// <summary>
    /// Risk factors for serious pathology (rule sets from 1.2.0): one alone makes the condition one to consider at the
    /// rule's `alone` level; two or more, or one with a non-specific sign, give its `escalated` level. Either way the
    /// rule's own safety-net advice is given, so a risk factor never ends in self-care without it.
    /// </summary>
    private void EvaluateRiskFactors(Evaluation evaluation)
    {
        foreach (var compiled in _knowledge.RiskFactors)
        {
            var rule = compiled.Rule;
            var findings = new List<string>();
            var factors = compiled.RiskFactors.Count(f => f.Evaluate(evaluation.Submission, findings));
            if (factors == 0)
            {
                continue;
            }

            var signs = compiled.Signs.Count(s => s.Evaluate(evaluation.Submission, findings));
            var level = factors >= 2 || signs > 0 ? rule.Escalated : rule.Alone;
            var sources = rule.Sources.Concat(level.Sources.Where(s => !rule.Sources.Contains(s))).ToList();
            evaluation.Suspect(rule.ConditionCode, level.Urgency, rule.Id, findings, sources, level.Concern);
            evaluation.Candidates.Add(new Candidate(level.Urgency, evaluation.ActWithin(level.Urgency, -1), level.Disposition));
            foreach (var id in rule.SafetyNet)
            {
                evaluation.OwnedSafetyNetGiven.TryAdd(id, findings);
            }

            var why = $"{factors} risk factor{(factors == 1 ? string.Empty : "s")}, {signs} non-specific sign{(signs == 1 ? string.Empty : "s")}";
            evaluation.Step(rule.Id, rule.Description, findings, $"{Describe(level.Concern)} {rule.ConditionCode}: {Describe(level.Urgency)} ({why})", sources);
        }
    }

    /// <summary>
    /// For every graded condition (rule sets from 1.2.0), the findings that would have made it more urgent: the
    /// predicates not met in the more urgent red flags of its own code (and of the codes its risk-factor rule escalates
    /// to), and, below its escalated level, the risk factors and signs not yet present.
    /// </summary>
    private void ExplainEscalation(Evaluation evaluation)
    {
        foreach (var suspected in evaluation.Suspected.Where(s => s.Concern != Concern.Unspecified))
        {
            var riskRule = _knowledge.RiskFactors.FirstOrDefault(r => r.Rule.ConditionCode == suspected.Code);
            var codes = new HashSet<string>(StringComparer.Ordinal) { suspected.Code };
            codes.UnionWith(riskRule?.Rule.EscalatesTo ?? []);
            var unmet = new List<string>();
            foreach (var (rule, when) in _knowledge.RedFlags.Where(r => codes.Contains(r.Rule.ConditionCode) && r.Rule.Urgency < suspected.Urgency))
            {
                when.CollectUnmet(evaluation.Submission, unmet);
            }

            if (riskRule is not null && riskRule.Rule.Escalated.Urgency < suspected.Urgency)
            {
                foreach (var item in riskRule.RiskFactors.Concat(riskRule.Signs))
                {
                    item.CollectUnmet(evaluation.Submission, unmet);
                }
            }

            suspected.MoreUrgentIf.Add(unmet);
        }
    }

    private void EvaluateNg65(Evaluation evaluation)
    {
        var ng65 = _knowledge.Rules.Ng65;
        var applies = new List<string>();
        if (ng65 is null || _knowledge.Ng65AppliesWhen is null || !_knowledge.Ng65AppliesWhen.Evaluate(evaluation.Submission, applies))
        {
            return;
        }

        var met = _knowledge.Ng65Criteria.Where(c => c.Evaluate(evaluation.Submission)).Select(c => c.Path).ToList();
        var inputs = applies.Concat(met).Distinct(StringComparer.Ordinal).ToList();
        string outcome;
        if (met.Count >= ng65.ReferAtLeast)
        {
            evaluation.Suspect(ng65.ConditionCode, ng65.ReferUrgency, ng65.RuleId, met, ng65.Sources, ng65.ReferConcern);
            evaluation.Candidates.Add(new Candidate(ng65.ReferUrgency, evaluation.ActWithin(ng65.ReferUrgency, -1), ng65.ReferDisposition));
            outcome = $"{met.Count} of {ng65.Criteria.Count} criteria: suspect {ng65.ConditionCode}: {Describe(ng65.ReferUrgency)}";
        }
        else if (met.Count == ng65.ConsiderTestAt)
        {
            evaluation.ExtraAdvice.Add(ng65.ConsiderDisposition);
            outcome = $"{met.Count} of {ng65.Criteria.Count} criteria: {ng65.ConsiderDisposition}";
        }
        else
        {
            outcome = $"{met.Count} of {ng65.Criteria.Count} criteria: below the referral threshold of {ng65.ReferAtLeast}";
        }

        evaluation.Step(ng65.RuleId, "NICE NG65 criteria for suspected axial spondyloarthritis", inputs, outcome, ng65.Sources);
    }

    private StartBackResult EvaluateStartBack(Evaluation evaluation)
    {
        var rules = _knowledge.Rules.StartBack;
        if (evaluation.Submission.StartBack is null)
        {
            evaluation.Candidates.Add(new Candidate(rules.NotAssessedUrgency, evaluation.ActWithin(rules.NotAssessedUrgency, -1), rules.NotAssessedDisposition));
            evaluation.Step(rules.RuleId, "Keele STarT Back stratification", [], $"not assessed (no answers): {Describe(rules.NotAssessedUrgency)}", rules.Sources);
            return new StartBackResult { Risk = StartBackRisk.NotAssessed };
        }

        var total = 0;
        var psychosocial = 0;
        var scored = new List<string>();
        foreach (var (item, when) in _knowledge.StartBackItems)
        {
            if (!when.Evaluate(evaluation.Submission))
            {
                continue;
            }

            total++;
            psychosocial += item.Psychosocial ? 1 : 0;
            scored.Add(when.Path);
        }

        var risk = total <= rules.LowRiskMaxTotal ? StartBackRisk.Low
            : psychosocial >= rules.HighRiskMinPsychosocial ? StartBackRisk.High
            : StartBackRisk.Medium;
        var stratum = rules.Strata.Single(s => s.Risk == risk);
        evaluation.Candidates.Add(new Candidate(stratum.Urgency, evaluation.ActWithin(stratum.Urgency, -1), stratum.Disposition));
        evaluation.Step(
            rules.RuleId,
            "Keele STarT Back stratification",
            scored,
            $"total {total}, psychosocial {psychosocial}: {risk} risk: {Describe(stratum.Urgency)}",
            stratum.Sources.Count > 0 ? stratum.Sources : rules.Sources);
        return new StartBackResult { TotalScore = total, PsychosocialScore = psychosocial, Risk = risk };
    }

    private void EvaluateReferrals(Evaluation evaluation)
    {
        foreach (var (rule, when) in _knowledge.Referrals)
        {
            var findings = new List<string>();
            if (!when.Evaluate(evaluation.Submission, findings))
            {
                continue;
            }

            evaluation.Candidates.Add(new Candidate(rule.Urgency, evaluation.ActWithin(rule.Urgency, -1), rule.Disposition));
            evaluation.Step(rule.Id, rule.Description, findings, $"refer: {Describe(rule.Urgency)}", rule.Sources);
        }
    }

    private List<LikelyCause> EvaluateCauses(Evaluation evaluation)
    {
        var causes = new List<(LikelyCause Cause, int Order)>();
        foreach (var (rule, evidence) in _knowledge.Causes)
        {
            var score = rule.BaseScore;
            var findings = new List<string>();
            for (var i = 0; i < evidence.Length; i++)
            {
                if (evidence[i].Evaluate(evaluation.Submission))
                {
                    score += rule.Evidence[i].Weight;
                    if (!findings.Contains(evidence[i].Path))
                    {
                        findings.Add(evidence[i].Path);
                    }
                }
            }

            // Rounded so that float sums of the same weights compare and print the same everywhere.
            score = Math.Round(Math.Min(1.0, score), 4);
            if (findings.Count == 0 || score < _knowledge.Rules.CauseReportThreshold)
            {
                continue;
            }

            var cause = new LikelyCause { Code = rule.CauseCode, Name = _knowledge.ConditionNames.GetValueOrDefault(rule.CauseCode, rule.CauseCode), Score = score };
            cause.Findings.Add(findings);
            cause.Sources.Add(rule.Sources);
            causes.Add((cause, causes.Count));
        }

        var ranked = causes.OrderByDescending(c => c.Cause.Score).ThenBy(c => c.Order).Select(c => c.Cause).ToList();
        foreach (var cause in ranked)
        {
            var rule = _knowledge.Causes.First(c => c.Rule.CauseCode == cause.Code).Rule;
            evaluation.Step(rule.RuleId, rule.Description, cause.Findings, $"likely cause {cause.Code}: score {Score(cause.Score)}", rule.Sources);
        }

        return ranked;
    }
}
