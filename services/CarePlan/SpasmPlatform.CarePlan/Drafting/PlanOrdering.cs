using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Drafting;

/// <summary>
/// Where each intervention goes in a plan, and which first-line intervention a second-line one waits for, as the
/// pinned knowledge version says (its plan_order and each intervention's second_line). Versions before 1.3.0 say
/// neither; for them both are derived here, once, exactly as the drafter decided them before the content carried
/// them, so plans drafted under those versions, and replays of those plans, do not change.
/// </summary>
internal sealed class PlanOrdering
{
    private readonly Dictionary<string, int> _position;
    private readonly Dictionary<string, string> _firstLine;

    private PlanOrdering(Dictionary<string, int> position, Dictionary<string, string> firstLine)
    {
        _position = position;
        _firstLine = firstLine;
    }

    public static PlanOrdering Of(KnowledgeBase knowledge) =>
        knowledge.PlanOrder is null ? BeforePlanOrder(knowledge) : FromContent(knowledge);

    /// <summary>The intervention's place in a plan; one the order does not list (the validator refuses that) goes last.</summary>
    public int Position(Intervention intervention) =>
        _position.TryGetValue(intervention.Code, out var position) ? position : int.MaxValue;

    /// <summary>The first-line intervention <paramref name="code"/> is second line after, or null for a first-line one.</summary>
    public string? FirstLineOf(string code) => _firstLine.GetValueOrDefault(code);

    private static PlanOrdering FromContent(KnowledgeBase knowledge)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var code in knowledge.PlanOrder.Phases.SelectMany(p => p.Interventions))
        {
            position.TryAdd(code, position.Count);
        }

        var firstLine = knowledge.Interventions
            .Where(i => i.SecondLine is not null)
            .GroupBy(i => i.Code, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().SecondLine.After, StringComparer.Ordinal);
        return new PlanOrdering(position, firstLine);
    }

    /// <summary>
    /// The order and relation the drafter used before 1.3.0, frozen: acute, recovery, prevention, then the rest;
    /// within a phase an intervention whose timing begins "First" before the others, then knowledge-base order; and
    /// a weak opioid second line after an NSAID (NG59), when the version has both. 1.3.0 wrote the same down as content.
    /// </summary>
    private static PlanOrdering BeforePlanOrder(KnowledgeBase knowledge)
    {
        var position = new Dictionary<string, int>(StringComparer.Ordinal);
        var ordered = knowledge.Interventions
            .Select((intervention, index) => (Intervention: intervention, Index: index))
            .OrderBy(x => x.Intervention.Phase switch
            {
                CarePhase.Acute => 0,
                CarePhase.Recovery => 1,
                CarePhase.Prevention => 2,
                _ => 3,
            })
            .ThenBy(x => x.Intervention.Timing.StartsWith("First", StringComparison.OrdinalIgnoreCase) ? 0 : 1)
            .ThenBy(x => x.Index);
        foreach (var (intervention, _) in ordered)
        {
            position.TryAdd(intervention.Code, position.Count);
        }

        var firstLine = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position.ContainsKey("weak_opioids") && position.ContainsKey("nsaids"))
        {
            firstLine["weak_opioids"] = "nsaids";
        }

        return new PlanOrdering(position, firstLine);
    }
}
