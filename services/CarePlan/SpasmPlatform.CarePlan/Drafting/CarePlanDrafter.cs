using System.Globalization;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Drafting;

/// <summary>
/// Drafts a care plan from a submission, its triage and the knowledge version the triage pinned. Pure: no I/O, no
/// clock, no randomness, so a plan can be re-drafted years later from the stored inputs and compared. The caller
/// adds identity (plan and assessment ids, clinic, patient), timestamps and the stream version.
/// </summary>
public static class CarePlanDrafter
{
    public static V1.CarePlan Draft(SubmitAssessmentRequest submission, TriageResult triage, KnowledgeBase knowledge)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(triage);
        ArgumentNullException.ThrowIfNull(knowledge);

        var plan = new V1.CarePlan
        {
            Urgency = triage.Urgency,
            RuleSetVersion = triage.RuleSetVersion,
            KnowledgeVersion = triage.KnowledgeVersion,
        };
        ApplyFollowUp(plan, triage, knowledge.RuleSet);

        if (IsReferralOnly(triage.Urgency))
        {
            DraftReferral(plan, triage, knowledge.RuleSet);
            return plan;
        }

        plan.Status = CarePlanStatus.PendingReview;
        var byCode = knowledge.Interventions.ToDictionary(i => i.Code, StringComparer.Ordinal);
        var candidates = Candidates(triage, knowledge, byCode);
        var excluded = new Dictionary<string, ExcludedIntervention>(StringComparer.Ordinal);
        var planned = new List<CandidateIntervention>();

        foreach (var candidate in candidates)
        {
            var intervention = candidate.Intervention;
            if (intervention.Stance == Stance.NotRecommended)
            {
                AddExcluded(excluded, intervention, $"not recommended by {Guideline(intervention.Sources, knowledge)} (suggested by {string.Join("; ", candidate.Reasons)})", intervention.Sources);
                continue;
            }

            var contraindication = intervention.ContraindicationRules.FirstOrDefault(rule => Predicates.Holds(rule.When, submission));
            if (contraindication is not null)
            {
                AddExcluded(
                    excluded,
                    intervention,
                    $"contraindicated by {Predicates.Subject(contraindication.When)} ({contraindication.When}): {contraindication.Text}",
                    contraindication.Sources.Count > 0 ? contraindication.Sources : intervention.Sources);
                continue;
            }

            planned.Add(candidate);
        }

        // Second-line interventions stay in only when the plan called for their first-line one and had to exclude it.
        var ordering = PlanOrdering.Of(knowledge);
        planned.RemoveAll(c => ordering.FirstLineOf(c.Intervention.Code) is { } first && !excluded.ContainsKey(first));
        foreach (var candidate in planned)
        {
            if (ordering.FirstLineOf(candidate.Intervention.Code) is { } first)
            {
                candidate.Reasons.Add($"{first} cannot be used ({excluded[first].Reason})");
            }
        }

        var ordered = planned
            .OrderBy(c => ordering.Position(c.Intervention))
            .ThenBy(c => knowledge.Interventions.IndexOf(c.Intervention))
            .ToList();
        plan.Interventions.Add(ordered.Select(ToPlanned));

        foreach (var mention in NotRecommendedMentions.Find(submission, triage, knowledge))
        {
            if (!excluded.ContainsKey(mention.Intervention.Code) && !planned.Any(p => p.Intervention.Code == mention.Intervention.Code))
            {
                AddExcluded(excluded, mention.Intervention, $"not recommended by {Guideline(mention.Intervention.Sources, knowledge)} ({mention.Where})", mention.Intervention.Sources);
            }
        }

        plan.Excluded.Add(excluded.Values);
        plan.Cautions.Add(Cautions(submission, ordered.Select(c => c.Intervention).ToList(), knowledge));
        return plan;
    }

    /// <summary>The planned form of one intervention, for the drafter and for a physiotherapist's amendment.</summary>
    public static PlannedIntervention ToPlanned(Intervention intervention, string rationale)
    {
        var planned = new PlannedIntervention
        {
            Code = intervention.Code,
            Name = intervention.Name,
            Schedule = intervention.Timing,
            Phase = intervention.Phase,
            Rationale = rationale,
            Stance = intervention.Stance,
            GuidanceNote = intervention.GuidanceNote,
        };
        planned.Instructions.Add(intervention.Instructions.Count > 0 ? intervention.Instructions : [intervention.Summary]);
        planned.Sources.Add(intervention.Sources);
        return planned;
    }

    public static bool IsReferralOnly(Urgency urgency) =>
        urgency is Urgency.Emergency or Urgency.SameDay or Urgency.Within24Hours;

    private static PlannedIntervention ToPlanned(CandidateIntervention candidate)
    {
        var planned = ToPlanned(candidate.Intervention, string.Join("; ", candidate.Reasons));
        foreach (var source in candidate.ReasonSources.Where(s => !planned.Sources.Any(p => p.SourceId == s.SourceId && p.Locator == s.Locator)))
        {
            planned.Sources.Add(source);
        }

        return planned;
    }

    private static void DraftReferral(V1.CarePlan plan, TriageResult triage, RuleSet rules)
    {
        plan.Status = CarePlanStatus.ReferralOnly;
        plan.ReferralOnly = true;
        var overridden = triage.Override is not null && triage.Override.Urgency != triage.EngineUrgency;
        var level = rules.UrgencyLevels.FirstOrDefault(l => l.Urgency == triage.Urgency);
        // After an override the engine's disposition describes another urgency: the level's own action applies.
        plan.ReferralAction = overridden && level is not null
            ? $"{level.Disposition} (Triage overridden by {triage.Override!.ClinicianId}: {triage.Override.Reason})"
            : triage.Disposition;
        plan.InterimAdvice.Add(triage.SafetyNetAdvice);
        if (overridden)
        {
            foreach (var advice in rules.SafetyNet.Where(a => a.When is null && a.Urgencies.Contains(triage.Urgency)).Select(a => a.Text))
            {
                if (!plan.InterimAdvice.Contains(advice))
                {
                    plan.InterimAdvice.Add(advice);
                }
            }
        }
    }

    private static void ApplyFollowUp(V1.CarePlan plan, TriageResult triage, RuleSet rules)
    {
        var risk = triage.StartBack?.Risk ?? StartBackRisk.NotAssessed;
        var rule = rules.FollowUp.FirstOrDefault(r =>
            (r.Urgencies.Count == 0 || r.Urgencies.Contains(triage.Urgency)) && (r.Risks.Count == 0 || r.Risks.Contains(risk)));
        if (rule is not null)
        {
            plan.FollowUpInDays = rule.Days;
            plan.FollowUpDescription = rule.Description;
            plan.FollowUpSources.Add(rule.Sources);
        }
    }

    /// <summary>The STarT Back stratum's matched care first, then each likely cause's interventions in rank order.</summary>
    private static List<CandidateIntervention> Candidates(TriageResult triage, KnowledgeBase knowledge, Dictionary<string, Intervention> byCode)
    {
        var candidates = new Dictionary<string, CandidateIntervention>(StringComparer.Ordinal);
        void Add(string code, string reason, IEnumerable<Citation> sources)
        {
            if (!byCode.TryGetValue(code, out var intervention))
            {
                // The knowledge validator rejects unknown codes; a plan is still drafted from the rest.
                return;
            }

            if (!candidates.TryGetValue(code, out var candidate))
            {
                candidate = new CandidateIntervention(intervention, candidates.Count);
                candidates[code] = candidate;
            }

            candidate.Reasons.Add(reason);
            candidate.ReasonSources.AddRange(sources.Where(s => !candidate.ReasonSources.Contains(s)));
        }

        var startBack = triage.StartBack;
        var stratum = startBack is null ? null : knowledge.RuleSet.StartBack?.Strata.FirstOrDefault(s => s.Risk == startBack.Risk);
        if (stratum is not null)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"STarT Back {RiskName(stratum.Risk)} risk (total {startBack!.TotalScore}, psychosocial {startBack.PsychosocialScore}): matched care");
            foreach (var code in stratum.Interventions)
            {
                Add(code, reason, stratum.Sources);
            }
        }

        else if (knowledge.RuleSet.StartBack is { } rules)
        {
            // Without answers there is no matched care; the rule set's advice for that case names what to offer meanwhile.
            foreach (var intervention in NotRecommendedMentions.Named(rules.NotAssessedDisposition, knowledge).Where(i => i.Stance != Stance.NotRecommended))
            {
                Add(intervention.Code, "STarT Back not completed: self-management advice until it is", rules.Sources);
            }
        }

        foreach (var cause in triage.LikelyCauses)
        {
            var condition = knowledge.Conditions.FirstOrDefault(c => c.Code == cause.Code);
            if (condition is null)
            {
                continue;
            }

            var findings = cause.Findings.Count > 0 ? $"; findings {string.Join(", ", cause.Findings)}" : string.Empty;
            var reason = string.Create(CultureInfo.InvariantCulture, $"likely cause {condition.Name} (score {cause.Score:0.00}{findings})");
            foreach (var code in condition.Interventions)
            {
                Add(code, reason, cause.Sources);
            }
        }

        return [.. candidates.Values.OrderBy(c => c.FirstSeen)];
    }

    private static List<string> Cautions(SubmitAssessmentRequest submission, IReadOnlyList<Intervention> planned, KnowledgeBase knowledge)
    {
        var cautions = new List<string>();
        void Add(string caution)
        {
            if (!cautions.Contains(caution))
            {
                cautions.Add(caution);
            }
        }

        foreach (var intervention in planned)
        {
            foreach (var rule in intervention.CautionRules.Where(r => Predicates.Holds(r.When, submission)))
            {
                Add($"{intervention.Name}: {rule.Text} ({Predicates.Subject(rule.When)})");
            }
        }

        // What the person already takes that guidance advises against: named with the intervention guidance rejects.
        foreach (var intervention in knowledge.Interventions.Where(i => i.Stance == Stance.NotRecommended))
        {
            foreach (var rule in intervention.CautionRules.Where(r => Predicates.Holds(r.When, submission)))
            {
                Add($"{Predicates.Subject(rule.When)}: {intervention.Name} - not recommended by {Guideline(intervention.Sources, knowledge)}. {rule.Text}");
            }
        }

        var codes = planned.Select(i => i.Code).ToHashSet(StringComparer.Ordinal);
        foreach (var warning in knowledge.SafetyWarnings)
        {
            // A warning about what the patient takes applies whatever is planned; the others follow the plan.
            var applies = warning.AppliesWhen is null
                ? warning.Interventions.Any(codes.Contains)
                : Predicates.Holds(warning.AppliesWhen, $"safety warning '{warning.Code}' applies_when", submission);
            if (applies)
            {
                Add(warning.Text);
            }
        }

        return cautions;
    }

    private static void AddExcluded(Dictionary<string, ExcludedIntervention> excluded, Intervention intervention, string reason, IEnumerable<Citation> sources)
    {
        if (excluded.ContainsKey(intervention.Code))
        {
            return;
        }

        var entry = new ExcludedIntervention { Code = intervention.Code, Name = intervention.Name, Reason = reason };
        entry.Sources.Add(sources);
        excluded[intervention.Code] = entry;
    }

    /// <summary>The guideline to name in "not recommended by ...": a guideline source first, articles never.</summary>
    internal static string Guideline(IEnumerable<Citation> sources, KnowledgeBase knowledge)
    {
        var list = sources.ToList();
        var guideline = list.FirstOrDefault(c => knowledge.Sources.Any(s => s.Id == c.SourceId && s.Kind == SourceKind.Guideline))
            ?? list.FirstOrDefault(c => !c.SourceId.StartsWith("article:", StringComparison.Ordinal));
        return guideline?.SourceId ?? "guidance";
    }

    private static string RiskName(StartBackRisk risk) => risk switch
    {
        StartBackRisk.Low => "low",
        StartBackRisk.Medium => "medium",
        StartBackRisk.High => "high",
        _ => "not assessed",
    };
}
