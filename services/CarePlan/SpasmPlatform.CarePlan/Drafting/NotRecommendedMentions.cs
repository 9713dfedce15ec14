using System.Text.RegularExpressions;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Drafting;

/// <summary>
/// Finds interventions that free text names, by code or by the synonyms the knowledge base lists for search. Used
/// for what guidance advises against but someone suggested: the clinician's notes, the STarT Back stratum's
/// disposition ("do not offer opioids ...") and the reference articles' claims about the likely causes. Only the
/// stratum's disposition is read, not the triage's: after a red flag the triage disposition may rightly ask for
/// imaging that routine care must not order.
/// </summary>
internal static class NotRecommendedMentions
{
    public static IEnumerable<InterventionMention> Find(SubmitAssessmentRequest submission, TriageResult triage, KnowledgeBase knowledge)
    {
        var texts = new List<(string Text, string Where)>();
        if (submission.ClinicalNotes.Length > 0)
        {
            texts.Add((submission.ClinicalNotes, "named in the clinician's notes"));
        }

        var stratum = triage.StartBack is null ? null : knowledge.RuleSet.StartBack?.Strata.FirstOrDefault(s => s.Risk == triage.StartBack.Risk);
        if (stratum is not null)
        {
            texts.Add((stratum.Disposition, "named in the STarT Back stratum's disposition"));
        }

        foreach (var cause in triage.LikelyCauses)
        {
            var condition = knowledge.Conditions.FirstOrDefault(c => c.Code == cause.Code);
            foreach (var claim in condition?.Claims ?? [])
            {
                texts.Add((claim.Claim, $"suggested by an article about {condition!.Name}: {string.Join(", ", claim.Sources.Select(s => s.SourceId))}"));
            }
        }

        foreach (var intervention in knowledge.Interventions.Where(i => i.Stance == Stance.NotRecommended))
        {
            var where = texts.FirstOrDefault(t => Mentions(t.Text, intervention));
            if (where.Text is not null)
            {
                yield return new InterventionMention(intervention, where.Where);
            }
        }
    }

    /// <summary>Interventions of any stance that <paramref name="text"/> names, in knowledge-base order.</summary>
    public static IEnumerable<Intervention> Named(string text, KnowledgeBase knowledge) =>
        knowledge.Interventions.Where(i => Mentions(text, i));

    private static bool Mentions(string text, Intervention intervention) =>
        Terms(intervention).Any(term => Regex.IsMatch(text, $@"\b{Regex.Escape(term)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));

    private static IEnumerable<string> Terms(Intervention intervention) =>
        new[] { intervention.Code, intervention.Code.Replace('_', ' ') }.Concat(intervention.Synonyms).Where(t => t.Length > 2);
}
