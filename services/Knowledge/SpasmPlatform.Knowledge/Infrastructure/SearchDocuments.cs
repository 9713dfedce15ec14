using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>What of a knowledge base is searchable: conditions, each of their findings and risk factors, interventions, safety warnings.</summary>
internal static class SearchDocuments
{
    public static IEnumerable<SearchDocument> Of(KnowledgeBase knowledge)
    {
        foreach (var condition in knowledge.Conditions)
        {
            yield return new SearchDocument(
                SearchItemKind.Condition, condition.Code, "condition", condition.Name,
                Join(condition.Synonyms.Concat(condition.Findings.SelectMany(f => f.Synonyms))),
                Join([condition.Summary, condition.Action, .. condition.Mechanisms, .. condition.Findings.Select(f => f.Text), .. condition.RiskFactors.Select(f => f.Text)]),
                condition.Sources);
            foreach (var (finding, i) in condition.Findings.Select((f, i) => (f, i)).Concat(condition.RiskFactors.Select((f, i) => (f, i + 1000))))
            {
                yield return new SearchDocument(
                    SearchItemKind.Finding, condition.Code, $"finding:{i}", finding.Text, Join(finding.Synonyms),
                    Join([condition.Name, finding.When]), finding.Sources);
            }
        }

        foreach (var intervention in knowledge.Interventions)
        {
            yield return new SearchDocument(
                SearchItemKind.Intervention, intervention.Code, "intervention", intervention.Name, Join(intervention.Synonyms),
                Join([intervention.Summary, intervention.Timing, intervention.GuidanceNote, .. intervention.Instructions, .. intervention.Cautions, .. intervention.Contraindications, .. intervention.Claims.Select(c => c.Claim)]),
                intervention.Sources);
        }

        foreach (var warning in knowledge.SafetyWarnings)
        {
            var names = knowledge.Interventions.Where(i => warning.Interventions.Contains(i.Code)).Select(i => i.Name);
            yield return new SearchDocument(SearchItemKind.SafetyWarning, warning.Code, "safety_warning", warning.Text, string.Empty, Join(names), warning.Sources);
        }
    }

    private static string Join(IEnumerable<string> parts) => string.Join(" · ", parts.Where(p => !string.IsNullOrWhiteSpace(p)));
}
