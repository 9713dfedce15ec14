using System.Globalization;
using System.Text;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Contracts.Presentation;

namespace SpasmPlatform.Cli;

/// <summary>Assessments for people at a terminal: the decision first, then why.</summary>
internal static class AssessmentText
{
    public static string Render(Assessment.V1.Assessment assessment)
    {
        var triage = assessment.Triage;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Assessment {assessment.AssessmentId}  (clinic {assessment.ClinicId}, patient {assessment.PatientRef}, version {assessment.Version})");
        text.AppendLine(CultureInfo.InvariantCulture, $"Urgency:      {Name(triage.Urgency)}{Sla(triage.ActWithinMinutes)}");
        if (triage.Override is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  overridden by {triage.Override.ClinicianId}: \"{triage.Override.Reason}\" (engine said {Name(triage.EngineUrgency)})");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Disposition:  {triage.Disposition}");
        foreach (var condition in triage.SuspectedConditions)
        {
            var label = condition.Concern == Concern.ToConsider ? "To consider: " : "Suspected:    ";
            text.AppendLine(CultureInfo.InvariantCulture, $"{label}{condition.Name} [{Name(condition.Urgency)}] rule {condition.RuleId}");
            text.AppendLine(CultureInfo.InvariantCulture, $"              findings: {string.Join(", ", condition.Findings)}");
            if (condition.MoreUrgentIf.Count > 0)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"              more urgent if: {string.Join(", ", condition.MoreUrgentIf)}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"              sources: {string.Join("; ", condition.Sources.Select(s => s.SourceId))}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"STarT Back:   {Risk(triage.StartBack)}");
        foreach (var cause in triage.LikelyCauses)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Likely cause: {cause.Name} {cause.Score:0.00} ({string.Join(", ", cause.Findings)})");
        }

        foreach (var advice in triage.SafetyNetAdvice)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Safety net:   {advice}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Decided by rule set {triage.RuleSetVersion}, knowledge {triage.KnowledgeVersion}; {triage.DecisionSteps.Count} decision steps (--json for all).");
        if (assessment.CarePlanId.Length > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Care plan:    {assessment.CarePlanId}");
        }

        if (assessment.ClinicalNotesErased)
        {
            text.AppendLine("Notes:        (erased at the data controller's request)");
        }
        else if (assessment.Submission?.ClinicalNotes is { Length: > 0 } notes)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Notes:        {notes}");
        }

        return text.ToString().TrimEnd();
    }

    public static string RenderErasure(EraseClinicalNotesResponse response)
    {
        var at = response.ErasedAt.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return response.AlreadyErased
            ? $"Already erased: nothing was left to erase; erasure {response.ErasureId} by {response.ErasedBy} at {at} UTC covers {response.Assessments} assessment(s)."
            : $"Erased: erasure {response.ErasureId} by {response.ErasedBy} at {at} UTC; {response.KeysDestroyed} key(s) destroyed; "
                + $"the notes of {response.Assessments} assessment(s) are unreadable from now on.";
    }

    public static string RenderList(ListAssessmentsResponse response)
    {
        var text = new StringBuilder();
        text.AppendLine("submitted (UTC)       urgency          assessment                            patient");
        foreach (var assessment in response.Assessments)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{assessment.SubmittedAt.ToDateTime():yyyy-MM-dd HH:mm:ss}   {Name(assessment.Triage.Urgency),-16} {assessment.AssessmentId}  {assessment.PatientRef}");
        }

        if (response.NextPageToken.Length > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"more: --page-token {response.NextPageToken}");
        }

        return text.ToString().TrimEnd();
    }

    private static string Name(Urgency urgency) => urgency switch
    {
        Urgency.Emergency => "EMERGENCY",
        Urgency.SameDay => "SAME DAY",
        Urgency.Within24Hours => "WITHIN 24 HOURS",
        Urgency.Within2Weeks => "WITHIN 2 WEEKS",
        Urgency.Routine => "ROUTINE",
        Urgency.SelfCare => "SELF CARE",
        _ => "UNSPECIFIED",
    };

    private static string Sla(int minutes) => minutes switch
    {
        0 => " - act now",
        < 0 => string.Empty,
        _ => $" - act within {HumanText.ActWithin(minutes).ToLowerInvariant()}",
    };

    private static string Risk(StartBackResult? result) => result is null || result.Risk == StartBackRisk.NotAssessed
        ? "not assessed"
        : $"{result.Risk.ToString().ToLowerInvariant()} risk (total {result.TotalScore}, psychosocial {result.PsychosocialScore})";
}
