using System.Collections.Concurrent;
using System.Globalization;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;
using TriageResult = SpasmPlatform.Assessment.V1.Triage;

namespace SpasmPlatform.Triage.Engine;

/// <summary>
/// The triage: a pure, deterministic function of a submission and one knowledge version (its rule set and the
/// names of its conditions). No clock, no I/O, no randomness: replaying a decision with the pinned version gives
/// the same triage. Order of evaluation, and of the decision steps that explain it: red flags, NG65, STarT Back,
/// referral rules, likely causes, safety net. The urgency is the most urgent of everything that fired, so nothing
/// found later (a low-risk STarT Back, a missing answer) can lower what a red flag raised.
/// </summary>
public sealed partial class TriageEngine
{
    private static readonly ConcurrentDictionary<string, TriageEngine> Compiled = new(StringComparer.Ordinal);

    private readonly CompiledKnowledge _knowledge;

    public TriageEngine(KnowledgeBase knowledge)
    {
        ArgumentNullException.ThrowIfNull(knowledge);
        _knowledge = new CompiledKnowledge(knowledge);
    }

    public string KnowledgeVersion => _knowledge.Knowledge.Manifest.Version;

    public string RuleSetVersion => _knowledge.Rules.Version;

    /// <summary>One compiled engine per knowledge content hash: versions are immutable, so compiling once is enough.</summary>
    public static TriageEngine For(KnowledgeBase knowledge) =>
        Compiled.GetOrAdd(knowledge.ContentHash.Length > 0 ? knowledge.ContentHash : knowledge.Manifest.Version, _ => new TriageEngine(knowledge));

    public TriageResult Decide(SubmitAssessmentRequest submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var evaluation = new Evaluation(submission, _knowledge);
        EvaluateRedFlags(evaluation);
        EvaluateRiskFactors(evaluation);
        EvaluateNg65(evaluation);
        var startBack = EvaluateStartBack(evaluation);
        EvaluateReferrals(evaluation);
        var causes = EvaluateCauses(evaluation);
        ExplainEscalation(evaluation);

        var decided = Decide(evaluation.Candidates);
        var triage = new TriageResult
        {
            Urgency = decided.Urgency,
            EngineUrgency = decided.Urgency,
            ActWithinMinutes = decided.ActWithinMinutes,
            Disposition = decided.Disposition,
            StartBack = startBack,
            RuleSetVersion = _knowledge.Rules.Version,
            KnowledgeVersion = _knowledge.Knowledge.Manifest.Version,
        };
        triage.SuspectedConditions.Add(evaluation.Suspected.Select((s, i) => (s, i)).OrderBy(p => p.s.Urgency).ThenBy(p => p.i).Select(p => p.s));
        triage.LikelyCauses.Add(causes);
        triage.SafetyNetAdvice.Add(SafetyNet(evaluation, decided.Urgency));
        triage.DecisionSteps.Add(evaluation.Steps);
        return triage;
    }

    /// <summary>The most urgent candidate; among equals the first in evaluation order, with the tightest SLA.</summary>
    private static Candidate Decide(List<Candidate> candidates)
    {
        var urgency = candidates.Where(c => c.Urgency != Urgency.Unspecified).Min(c => c.Urgency);
        var atUrgency = candidates.Where(c => c.Urgency == urgency).ToList();
        var minutes = atUrgency.Select(c => c.ActWithinMinutes).Where(m => m >= 0).DefaultIfEmpty(-1).Min();
        return new Candidate(urgency, minutes, atUrgency[0].Disposition);
    }

    private IEnumerable<string> SafetyNet(Evaluation evaluation, Urgency urgency)
    {
        var advice = new List<string>(evaluation.ExtraAdvice);
        foreach (var (entry, when) in _knowledge.SafetyNet)
        {
            var findings = new List<string>();
            if (entry.Urgencies.Count > 0 && !entry.Urgencies.Contains(urgency))
            {
                continue;
            }

            if (_knowledge.RuleOwnedSafetyNet.Contains(entry.Id))
            {
                // Given because its risk-factor rule fired; never on its own.
                if (!evaluation.OwnedSafetyNetGiven.TryGetValue(entry.Id, out var because))
                {
                    continue;
                }

                findings.AddRange(because);
            }
            else if (when is not null && !when.Evaluate(evaluation.Submission, findings))
            {
                continue;
            }

            advice.Add(entry.Text);
            evaluation.Step(entry.Id, "Safety-net advice", findings, entry.Text, entry.Sources);
        }

        return advice.Distinct(StringComparer.Ordinal);
    }

    private static string Describe(Urgency urgency) => urgency.ToString();

    private static string Describe(Concern concern) => concern switch
    {
        Concern.ToConsider => "consider",
        Concern.Suspected => "suspect",
        _ => "suspect",
    };

    private static string Score(double score) => score.ToString("0.00", CultureInfo.InvariantCulture);
}
