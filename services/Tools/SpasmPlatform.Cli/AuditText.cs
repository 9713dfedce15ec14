using System.Globalization;
using System.Text;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Audit.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.Presentation;

namespace SpasmPlatform.Cli;

/// <summary>Audit answers for people at a terminal: what was decided, by which rules, who changed what, and whether anything was altered.</summary>
internal static class AuditText
{
    public static string RenderTrace(DecisionTrace trace)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Decision trace of assessment {trace.AssessmentId}  (clinic {trace.ClinicId}, patient {trace.PatientRef}, clinician {trace.ClinicianId})");
        text.AppendLine(CultureInfo.InvariantCulture, $"Submitted:    {Time(trace.SubmittedAt)}");
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"Versions:     rule set {trace.RuleSetVersion}, knowledge {trace.KnowledgeVersion} {trace.KnowledgeContentHash}").TrimEnd());
        if (trace.Triage is { } triage)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Engine:       {HumanText.Of(triage.Urgency)} - {triage.Disposition}");
            text.AppendLine(CultureInfo.InvariantCulture, $"STarT Back:   {triage.StartBack?.Risk ?? StartBackRisk.NotAssessed} (total {triage.StartBack?.TotalScore ?? 0}, psychosocial {triage.StartBack?.PsychosocialScore ?? 0})");
            foreach (var condition in triage.SuspectedConditions)
            {
                var label = condition.Concern == Concern.ToConsider ? "To consider: " : "Suspected:    ";
                text.AppendLine(CultureInfo.InvariantCulture, $"{label}{condition.Name} [{HumanText.Of(condition.Urgency)}] rule {condition.RuleId}: {string.Join(", ", condition.Findings)}");
                if (condition.MoreUrgentIf.Count > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"              more urgent if: {string.Join(", ", condition.MoreUrgentIf)}");
                }
            }

            foreach (var cause in triage.LikelyCauses)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Likely cause: {cause.Name} {cause.Score:0.00}: {string.Join(", ", cause.Findings)}");
            }

            text.AppendLine("Rules that fired:");
            foreach (var step in triage.DecisionSteps)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"  {step.Order,3}. {step.RuleId}: {step.Outcome}");
                if (step.Inputs.Count > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"       inputs: {string.Join(", ", step.Inputs)}");
                }

                if (step.Sources.Count > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"       sources: {Sources(step.Sources)}");
                }
            }
        }

        foreach (var applied in trace.Overrides)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Override:     {Time(applied.At)} {applied.ClinicianId} -> {HumanText.Of(applied.Urgency)}: \"{applied.Reason}\"");
        }

        if (trace.CurrentTriage is { } current)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Current:      {HumanText.Of(current.Urgency)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Care plan:    {CarePlan(trace)}");
        foreach (var review in trace.Reviews)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {Time(review.At)} {review.CarePlanId} {review.Action} by {review.Actor}{(review.Note.Length > 0 ? $": {review.Note}" : string.Empty)}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Events (stream version {trace.Version}):");
        foreach (var stored in trace.Events)
        {
            text.AppendLine("  " + RenderEvent(stored));
        }

        return text.ToString().TrimEnd();
    }

    public static string RenderFound(FindAssessmentsResponse found)
    {
        if (found.Assessments.Count == 0)
        {
            return "No assessment found.";
        }

        var text = new StringBuilder();
        foreach (var summary in found.Assessments)
        {
            var notes = summary.ClinicalNotesErased ? ", notes erased" : "";
            var overridden = summary.Overridden ? " (overridden)" : "";
            text.AppendLine(CultureInfo.InvariantCulture, $"{Time(summary.SubmittedAt)}  {summary.AssessmentId}  clinic {summary.ClinicId}, patient {summary.PatientRef}, clinician {summary.ClinicianId}");
            text.AppendLine(CultureInfo.InvariantCulture, $"    {HumanText.Of(summary.Urgency)}{overridden}; care plan {Or(summary.CarePlanId)}; version {summary.Version}{notes}");
        }

        if (found.NextPageToken.Length > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"More: --page-token {found.NextPageToken}");
        }

        return text.ToString().TrimEnd();
    }

    public static string RenderEvent(HistoryEvent stored) =>
        string.Create(CultureInfo.InvariantCulture, $"{stored.GlobalPosition,8} {stored.StreamId} v{stored.Version} {Time(stored.RecordedAt)} {stored.EventType} by {Or(stored.Actor)} hash {Short(stored.Hash)} prev {Short(stored.PreviousHash)}");

    public static string RenderReplay(ReplayDecisionResponse replay)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Replayed with rule set {replay.RuleSetVersion}, knowledge {replay.KnowledgeVersion}: {(replay.Reproduced ? "REPRODUCED" : $"{replay.Differences.Count} DIFFERENCES")}");
        foreach (var difference in replay.Differences)
        {
            text.AppendLine("  " + difference);
        }

        return text.ToString().TrimEnd();
    }

    public static string RenderVerify(VerifyIntegrityResponse report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{(report.Intact ? "INTACT" : "BROKEN")}: {report.EventsChecked} events checked, {report.Breaks.Count} breaks");
        foreach (var broken in report.Breaks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {broken.StreamId} v{broken.Version}: {broken.Reason}");
        }

        return text.ToString().TrimEnd();
    }

    public static string CarePlan(DecisionTrace trace) => trace.CarePlanLookup switch
    {
        CarePlanLookup.Found when trace.CarePlan is { } plan => $"{plan.CarePlanId} {HumanText.Of(plan.Status)}, {plan.Interventions.Count} interventions, {plan.Excluded.Count} excluded",
        CarePlanLookup.Unavailable => $"unavailable ({trace.CarePlanLookupDetail})",
        _ => "none drafted",
    };

    public static string Sources(IEnumerable<Citation> sources) =>
        string.Join("; ", sources.Select(s => s.Locator.Length > 0 ? $"{s.SourceId} ({s.Locator})" : s.SourceId));

    private static string Time(Google.Protobuf.WellKnownTypes.Timestamp? at) =>
        at is null ? "-" : at.ToDateTimeOffset().ToString("yyyy-MM-dd HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : Or(hash);

    private static string Or(string value) => value.Length > 0 ? value : "-";
}
