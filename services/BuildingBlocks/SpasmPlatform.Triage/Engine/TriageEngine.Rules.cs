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

            evaluation.Suspect(rule.ConditionCode, rule.Urgency, rule.Id, findings, rule.Sources);
            evaluation.Candidates.Add(new Candidate(rule.Urgency, evaluation.ActWithin(rule.Urgency, rule.ActWithinMinutes), rule.Disposition));
            evaluation.Step(rule.Id, rule.Description, findings, $"suspect {rule.ConditionCode}: {Describe(rule.Urgency)}", rule.Sources);
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
            evaluation.Suspect(ng65.ConditionCode, ng65.ReferUrgency, ng65.RuleId, met, ng65.Sources);
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
