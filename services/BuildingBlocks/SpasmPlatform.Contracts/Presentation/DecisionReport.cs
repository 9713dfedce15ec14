using System.Globalization;
using System.Net;
using System.Text;
using Google.Protobuf;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Common.V1;

namespace SpasmPlatform.Contracts.Presentation;

/// <summary>
/// A decision report an auditor can open in any browser or print: one HTML file with its CSS inline and no external
/// assets, so it stays readable wherever it is archived. Every value from the service is HTML-encoded: submissions
/// and notes are free text typed by people. Shared by spasm-cli and the web console; times are in the zone of whoever
/// asked for it, with the zone named.
/// </summary>
public static class DecisionReport
{
    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em; color: #1b1f23; line-height: 1.4; }
        h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em; }
        table { border-collapse: collapse; width: 100%; font-size: 0.9em; margin: 0.5em 0; }
        th, td { border: 1px solid #d0d7de; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; }
        .meta { color: #57606a; font-size: 0.9em; }
        .status { padding: 0.6em 1em; border-radius: 6px; font-weight: 600; margin: 1em 0; }
        .intact { background: #dafbe1; border: 1px solid #2da44e; } .broken { background: #ffebe9; border: 1px solid #cf222e; }
        .warn { background: #fff8c5; border: 1px solid #d4a72c; }
        .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 0.85em; word-break: break-all; }
        pre { background: #f6f8fa; padding: 0.8em; overflow-x: auto; font-size: 0.8em; white-space: pre-wrap; }
        @media print { body { margin: 0.5cm; } pre { white-space: pre-wrap; } }
        """;

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true).WithIndentation());

    public static string Render(DecisionTrace trace, VerifyIntegrityResponse integrity, DateTimeOffset generatedAt, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(integrity);
        ArgumentNullException.ThrowIfNull(zone);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.AppendLine(CultureInfo.InvariantCulture, $"<title>Decision report {E(trace.AssessmentId)}</title>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<style>{Style}</style></head><body>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<h1>Decision report: assessment {E(trace.AssessmentId)}</h1>");
        html.AppendLine(CultureInfo.InvariantCulture,
            $"<p class=\"meta\">Clinic {E(trace.ClinicId)} &middot; patient {E(trace.PatientRef)} &middot; clinician {E(trace.ClinicianId)} &middot; submitted {Time(trace.SubmittedAt, zone)} &middot; stream version {trace.Version} &middot; report generated {E(HumanText.Time(generatedAt, zone))}</p>");

        Integrity(html, integrity);
        Decision(html, trace);
        Rules(html, trace);
        Overrides(html, trace, zone);
        CarePlan(html, trace, zone);
        Timeline(html, "Timeline of events", trace.Events, zone);
        if (trace.CarePlanEvents.Count > 0)
        {
            Timeline(html, "Care-plan events", trace.CarePlanEvents, zone);
        }

        html.AppendLine("<h2>Submission as received</h2>");
        if (trace.ClinicalNotesErased)
        {
            html.AppendLine("<p>The clinical notes were erased at the data controller's request; everything else is as recorded.</p>");
        }

        html.AppendLine(CultureInfo.InvariantCulture, $"<pre>{E(trace.Submission is null ? "(none)" : Json.Format(trace.Submission))}</pre>");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static void Integrity(StringBuilder html, VerifyIntegrityResponse integrity)
    {
        html.AppendLine("<h2>Integrity</h2>");
        html.AppendLine(integrity.Intact
            ? string.Create(CultureInfo.InvariantCulture, $"<div class=\"status intact\">Hash chain intact: {integrity.EventsChecked} events checked, none altered since they were recorded.</div>")
            : string.Create(CultureInfo.InvariantCulture, $"<div class=\"status broken\">Hash chain BROKEN: {integrity.Breaks.Count} breaks in {integrity.EventsChecked} events checked.</div>"));
        if (integrity.Breaks.Count > 0)
        {
            html.AppendLine("<table><tr><th>stream</th><th>version</th><th>reason</th></tr>");
            foreach (var broken in integrity.Breaks)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<tr><td class=\"mono\">{E(broken.StreamId)}</td><td>{broken.Version}</td><td>{E(broken.Reason)}</td></tr>");
            }

            html.AppendLine("</table>");
        }
    }

    private static void Decision(StringBuilder html, DecisionTrace trace)
    {
        html.AppendLine("<h2>Decision</h2>");
        var triage = trace.Triage;
        if (triage is null)
        {
            html.AppendLine("<p>No triage was recorded.</p>");
            return;
        }

        html.AppendLine("<table>");
        Row(html, "Engine urgency", HumanText.Of(triage.Urgency));
        Row(html, "Current urgency", HumanText.Of((trace.CurrentTriage ?? triage).Urgency));
        Row(html, "Disposition", (trace.CurrentTriage ?? triage).Disposition);
        Row(html, "Act within", HumanText.ActWithin((trace.CurrentTriage ?? triage).ActWithinMinutes));
        Row(html, "STarT Back", triage.StartBack is null
            ? HumanText.Of(StartBackRisk.NotAssessed)
            : string.Create(CultureInfo.InvariantCulture, $"{HumanText.Of(triage.StartBack.Risk)} (total {triage.StartBack.TotalScore}, psychosocial {triage.StartBack.PsychosocialScore})"));
        Row(html, "Rule set version", trace.RuleSetVersion);
        Row(html, "Knowledge version", $"{trace.KnowledgeVersion} {trace.KnowledgeContentHash}".Trim());
        html.AppendLine("</table>");

        if (triage.SuspectedConditions.Count > 0)
        {
            html.AppendLine("<h3>Serious pathology suspected or to consider</h3><table><tr><th>condition</th><th>concern</th><th>urgency</th><th>rule</th><th>findings</th><th>more urgent if</th><th>sources</th></tr>");
            foreach (var condition in triage.SuspectedConditions)
            {
                var concern = condition.Concern switch { Concern.ToConsider => "to consider", Concern.Suspected => "suspected", _ => "suspected (not graded)" };
                html.AppendLine(CultureInfo.InvariantCulture,
                    $"<tr><td>{E(condition.Name)}</td><td>{E(concern)}</td><td>{E(HumanText.Of(condition.Urgency))}</td><td class=\"mono\">{E(condition.RuleId)}</td><td>{List(condition.Findings)}</td><td>{List(condition.MoreUrgentIf)}</td><td>{Sources(condition.Sources)}</td></tr>");
            }

            html.AppendLine("</table>");
        }

        if (triage.LikelyCauses.Count > 0)
        {
            html.AppendLine("<h3>Likely causes</h3><table><tr><th>cause</th><th>score</th><th>findings</th><th>sources</th></tr>");
            foreach (var cause in triage.LikelyCauses)
            {
                html.AppendLine(CultureInfo.InvariantCulture,
                    $"<tr><td>{E(cause.Name)}</td><td>{cause.Score.ToString("0.00", CultureInfo.InvariantCulture)}</td><td>{List(cause.Findings)}</td><td>{Sources(cause.Sources)}</td></tr>");
            }

            html.AppendLine("</table>");
        }
    }

    private static void Rules(StringBuilder html, DecisionTrace trace)
    {
        html.AppendLine("<h2>Rules that fired</h2>");
        html.AppendLine("<table><tr><th>#</th><th>rule</th><th>description</th><th>inputs</th><th>outcome</th><th>sources</th></tr>");
        foreach (var step in trace.Triage?.DecisionSteps ?? [])
        {
            html.AppendLine(CultureInfo.InvariantCulture,
                $"<tr><td>{step.Order}</td><td class=\"mono\">{E(step.RuleId)}</td><td>{E(step.Description)}</td><td>{List(step.Inputs)}</td><td>{E(step.Outcome)}</td><td>{Sources(step.Sources)}</td></tr>");
        }

        html.AppendLine("</table>");
    }

    private static void Overrides(StringBuilder html, DecisionTrace trace, TimeZoneInfo zone)
    {
        html.AppendLine("<h2>Overrides</h2>");
        if (trace.Overrides.Count == 0)
        {
            html.AppendLine("<p>None: the engine's decision stands.</p>");
            return;
        }

        html.AppendLine("<table><tr><th>at</th><th>clinician</th><th>urgency</th><th>reason</th></tr>");
        foreach (var applied in trace.Overrides)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<tr><td>{Time(applied.At, zone)}</td><td>{E(applied.ClinicianId)}</td><td>{E(HumanText.Of(applied.Urgency))}</td><td>{E(applied.Reason)}</td></tr>");
        }

        html.AppendLine("</table>");
    }

    private static void CarePlan(StringBuilder html, DecisionTrace trace, TimeZoneInfo zone)
    {
        html.AppendLine("<h2>Care plan and reviews</h2>");
        if (trace.CarePlanLookup == CarePlanLookup.Unavailable)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<div class=\"status warn\">The care plan could not be included: {E(trace.CarePlanLookupDetail)}</div>");
        }

        if (trace.CarePlan is not { } plan)
        {
            if (trace.CarePlanLookup != CarePlanLookup.Unavailable)
            {
                html.AppendLine("<p>No care plan has been drafted.</p>");
            }

            return;
        }

        html.AppendLine(CultureInfo.InvariantCulture,
            $"<p>Plan <span class=\"mono\">{E(plan.CarePlanId)}</span>: {E(HumanText.Of(plan.Status))}, urgency {E(HumanText.Of(plan.Urgency))}, drafted with rule set {E(plan.RuleSetVersion)} and knowledge {E(plan.KnowledgeVersion)}.</p>");
        html.AppendLine("<table><tr><th>intervention</th><th>schedule</th><th>rationale</th><th>sources</th></tr>");
        foreach (var intervention in plan.Interventions)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<tr><td>{E(intervention.Name)}</td><td>{E(intervention.Schedule)}</td><td>{E(intervention.Rationale)}</td><td>{Sources(intervention.Sources)}</td></tr>");
        }

        html.AppendLine("</table>");
        if (plan.Excluded.Count > 0)
        {
            html.AppendLine("<h3>Excluded</h3><table><tr><th>intervention</th><th>reason</th></tr>");
            foreach (var excluded in plan.Excluded)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<tr><td>{E(excluded.Name.Length > 0 ? excluded.Name : excluded.Code)}</td><td>{E(excluded.Reason)}</td></tr>");
            }

            html.AppendLine("</table>");
        }

        html.AppendLine("<h3>Review history</h3><table><tr><th>at</th><th>plan</th><th>action</th><th>by</th><th>note</th><th>added / removed</th></tr>");
        foreach (var review in trace.Reviews)
        {
            html.AppendLine(CultureInfo.InvariantCulture,
                $"<tr><td>{Time(review.At, zone)}</td><td class=\"mono\">{E(review.CarePlanId)}</td><td>{E(review.Action)}</td><td>{E(review.Actor)}</td><td>{E(review.Note)}</td><td>{List(review.AddedInterventionCodes.Select(c => "+" + c).Concat(review.RemovedInterventionCodes.Select(c => "-" + c)))}</td></tr>");
        }

        html.AppendLine("</table>");
    }

    private static void Timeline(StringBuilder html, string title, IEnumerable<HistoryEvent> events, TimeZoneInfo zone)
    {
        html.AppendLine(CultureInfo.InvariantCulture, $"<h2>{E(title)}</h2>");
        html.AppendLine("<table><tr><th>version</th><th>recorded (UTC)</th><th>event</th><th>actor</th><th>correlation</th><th>hash / previous hash</th></tr>");
        foreach (var stored in events)
        {
            html.AppendLine(CultureInfo.InvariantCulture,
                $"<tr><td>{stored.Version}</td><td>{Time(stored.RecordedAt, zone)}</td><td class=\"mono\">{E(stored.EventType)}</td><td>{E(stored.Actor)}</td><td class=\"mono\">{E(stored.CorrelationId)}</td><td class=\"mono\">{E(stored.Hash)}<br>{E(stored.PreviousHash)}</td></tr>");
        }

        html.AppendLine("</table>");
    }

    private static void Row(StringBuilder html, string label, string value) =>
        html.AppendLine(CultureInfo.InvariantCulture, $"<tr><th>{E(label)}</th><td>{E(value)}</td></tr>");

    private static string List(IEnumerable<string> values) => string.Join("<br>", values.Select(E));

    private static string Sources(IEnumerable<Citation> sources) =>
        string.Join("<br>", sources.Select(s => $"{E(s.SourceId)}{(s.Title.Length > 0 ? $": {E(s.Title)}" : string.Empty)}{(s.Locator.Length > 0 ? $" ({E(s.Locator)})" : string.Empty)}"));

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp? at, TimeZoneInfo zone) =>
        at is null ? "-" : E(HumanText.Time(at.ToDateTimeOffset(), zone));

    private static string E(string value) => WebUtility.HtmlEncode(value);
}
