using Google.Protobuf.Collections;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Triage.Engine;

/// <summary>The working state of one triage: what fired so far, in evaluation order.</summary>
internal sealed class Evaluation(SubmitAssessmentRequest submission, CompiledKnowledge knowledge)
{
    public SubmitAssessmentRequest Submission { get; } = submission;

    public CompiledKnowledge Knowledge { get; } = knowledge;

    public List<Candidate> Candidates { get; } = [];

    public List<SuspectedCondition> Suspected { get; } = [];

    public List<DecisionStep> Steps { get; } = [];

    public List<string> ExtraAdvice { get; } = [];

    /// <summary>Rule-owned safety-net entries whose rule fired, with the findings that made it fire.</summary>
    public Dictionary<string, List<string>> OwnedSafetyNetGiven { get; } = new(StringComparer.Ordinal);

    public void Step(string ruleId, string description, IEnumerable<string> inputs, string outcome, IEnumerable<Citation> sources)
    {
        var step = new DecisionStep { Order = Steps.Count + 1, RuleId = ruleId, Description = description, Outcome = outcome };
        step.Inputs.Add(inputs);
        step.Sources.Add(sources);
        Steps.Add(step);
    }

    /// <summary>
    /// Suspects a condition; a second rule for the same code can only raise its urgency and its concern (to consider
    /// -> suspected), and adds its evidence.
    /// </summary>
    public void Suspect(string code, Urgency urgency, string ruleId, IEnumerable<string> findings, IEnumerable<Citation> sources, Concern concern)
    {
        var existing = Suspected.FirstOrDefault(s => s.Code == code);
        if (existing is null)
        {
            existing = new SuspectedCondition
            {
                Code = code,
                Name = Knowledge.ConditionNames.GetValueOrDefault(code, code),
                Urgency = urgency,
                RuleId = ruleId,
                Concern = concern,
            };
            Suspected.Add(existing);
        }
        else if (urgency < existing.Urgency)
        {
            existing.Urgency = urgency;
            existing.RuleId = ruleId;
        }

        if (concern > existing.Concern)
        {
            existing.Concern = concern;
        }

        foreach (var finding in findings.Where(f => !existing.Findings.Contains(f)))
        {
            existing.Findings.Add(finding);
        }

        foreach (var source in sources.Where(s => !existing.Sources.Contains(s)))
        {
            existing.Sources.Add(source.Clone());
        }
    }

    /// <summary>The SLA of a rule: its own figure when it gives one, else its urgency level's.</summary>
    public int ActWithin(Urgency urgency, int ruleMinutes) =>
        ruleMinutes >= 0 ? ruleMinutes : Knowledge.Levels.TryGetValue(urgency, out var level) ? level.ActWithinMinutes : -1;
}
