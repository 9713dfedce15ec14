using SpasmPlatform.Contracts.Versioning;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Loading;

internal sealed partial class KnowledgeValidator
{
    /// <summary>
    /// From this knowledge version on, content must say how plans are ordered. Earlier versions were published
    /// before plan_order existed and must still load as they were (replays pin them); the care-plan service gives
    /// their plans the order it derived in code then.
    /// </summary>
    public static readonly SemanticVersion FirstVersionWithPlanOrder = new(1, 3, 0, string.Empty);

    /// <summary>
    /// The plan order lists every intervention a plan can hold exactly once, under its own phase, and each phase once;
    /// a second-line intervention names a first-line one that a plan can hold.
    /// </summary>
    private void ValidatePlanOrder()
    {
        // A code defined twice is reported as such; which definition the order meant is anyone's guess.
        var interventions = _knowledge.Interventions.GroupBy(i => i.Code, StringComparer.Ordinal).Where(g => g.Count() == 1).ToDictionary(g => g.Key, g => g.Single(), StringComparer.Ordinal);
        var duplicated = _knowledge.Interventions.Select(i => i.Code).Where(c => !interventions.ContainsKey(c)).ToHashSet(StringComparer.Ordinal);
        var order = _knowledge.PlanOrder;
        if (order is null)
        {
            if (SemanticVersion.TryParse(_knowledge.Manifest.Version, out var version) && version.CompareTo(FirstVersionWithPlanOrder) >= 0)
            {
                Error($"plan_order: is required from knowledge {FirstVersionWithPlanOrder}: list the phases in the order plans give them, each with its interventions in order.");
            }

            foreach (var intervention in _knowledge.Interventions.Where(i => i.SecondLine is not null))
            {
                Error($"intervention '{intervention.Code}' second_line: content without a plan_order is drafted with the order and second-line relation of the versions before {FirstVersionWithPlanOrder}; add a plan_order.");
            }

            return;
        }

        Sources(order.Sources, "plan_order");
        var listedUnder = new Dictionary<string, CarePhase>(StringComparer.Ordinal);
        var phases = new HashSet<CarePhase>();
        for (var p = 0; p < order.Phases.Count; p++)
        {
            var phase = order.Phases[p];
            var at = $"plan_order phases[{p}]";
            if (phase.Phase == CarePhase.Unspecified)
            {
                Error($"{at}: phase is required.");
            }
            else if (!phases.Add(phase.Phase))
            {
                Error($"{at}: {PhaseName(phase.Phase)} is listed more than once; each phase comes once, with all its interventions.");
            }

            foreach (var code in phase.Interventions)
            {
                if (duplicated.Contains(code))
                {
                    continue;
                }

                if (!interventions.TryGetValue(code, out var intervention))
                {
                    Error($"{at}: names unknown intervention '{code}'.");
                    continue;
                }

                if (!listedUnder.TryAdd(code, phase.Phase))
                {
                    Error($"{at}: intervention '{code}' is listed more than once; a plan gives each intervention one place.");
                    continue;
                }

                if (intervention.Stance == Stance.NotRecommended)
                {
                    Error($"{at}: intervention '{code}' is not recommended, so no plan holds it; leave it out of the plan order.");
                }
                else if (intervention.Phase != phase.Phase)
                {
                    Error($"{at}: intervention '{code}' is listed under {PhaseName(phase.Phase)} but its phase is {PhaseName(intervention.Phase)}.");
                }
            }
        }

        foreach (var intervention in interventions.Values.Where(i => i.Stance != Stance.NotRecommended && !listedUnder.ContainsKey(i.Code)))
        {
            Error(intervention.Phase == CarePhase.Unspecified
                ? $"intervention '{intervention.Code}': phase is required, and the intervention listed under it in plan_order."
                : $"intervention '{intervention.Code}': plan_order does not list it; a plan would not know where to put it (add it under {PhaseName(intervention.Phase)}).");
        }

        SecondLines(interventions, duplicated);
    }

    /// <summary>
    /// A plan keeps a second-line intervention only when it had to exclude the first-line one, so the first-line one
    /// must be one a plan can hold and must itself be first line: a chain would leave a plan unable to say which
    /// exclusion let the last one in, and a cycle would keep both out forever.
    /// </summary>
    private void SecondLines(Dictionary<string, Intervention> interventions, HashSet<string> duplicated)
    {
        var inCycle = new HashSet<string>(StringComparer.Ordinal);
        foreach (var intervention in interventions.Values.Where(i => i.SecondLine is not null))
        {
            var at = $"intervention '{intervention.Code}' second_line";
            var after = intervention.SecondLine.After;
            Sources(intervention.SecondLine.Sources, at);
            if (intervention.Stance == Stance.NotRecommended)
            {
                Error($"{at}: the intervention is not recommended, so no plan holds it, first or second line; remove second_line.");
            }

            if (after.Length == 0)
            {
                Error($"{at}: after is required: the code of the first-line intervention it follows.");
                continue;
            }

            if (duplicated.Contains(after))
            {
                continue;
            }

            if (!interventions.TryGetValue(after, out var first))
            {
                Error($"{at}: after names unknown intervention '{after}'.");
                continue;
            }

            var cycle = Cycle(intervention, interventions);
            if (cycle is not null)
            {
                if (inCycle.Add(intervention.Code))
                {
                    inCycle.UnionWith(cycle);
                    Error($"{at}: second-line relations form a cycle ({string.Join(" -> ", cycle.Append(cycle[0]))}); each would wait for the other to be excluded.");
                }

                continue;
            }

            if (first.SecondLine is not null)
            {
                Error($"{at}: after names '{after}', which is itself second line after '{first.SecondLine.After}'; name the first-line intervention.");
            }

            if (first.Stance == Stance.NotRecommended)
            {
                Error($"{at}: after names '{after}', which is not recommended and so never planned; a second line after it would be first line in every plan.");
            }
        }
    }

    /// <summary>The codes of the cycle of second-line relations starting at <paramref name="start"/>, or null when its chain ends.</summary>
    private static List<string>? Cycle(Intervention start, Dictionary<string, Intervention> interventions)
    {
        var path = new List<string> { start.Code };
        for (var current = start; current.SecondLine is { } line && interventions.TryGetValue(line.After, out var next);)
        {
            var seen = path.IndexOf(next.Code);
            if (seen >= 0)
            {
                return seen == 0 ? path : null;
            }

            path.Add(next.Code);
            current = next;
        }

        return null;
    }

    /// <summary>The name the content files use for a phase.</summary>
    private static string PhaseName(CarePhase phase) =>
        KnowledgeReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(CarePhase)).FindValueByNumber((int)phase)?.Name ?? phase.ToString();
}
