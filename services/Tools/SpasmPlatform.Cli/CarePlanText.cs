using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using SpasmPlatform.CarePlan.V1;
using SpasmPlatform.Common.V1;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Cli;

/// <summary>Care plans for a physiotherapist at a terminal: where the plan stands first, then what it asks of the patient and why.</summary>
internal static class CarePlanText
{
    private const string Indent = "              ";

    public static string Render(CarePlan.V1.CarePlan plan)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Care plan {plan.CarePlanId}  (assessment {plan.AssessmentId}, clinic {plan.ClinicId}, patient {plan.PatientRef})");
        text.AppendLine(CultureInfo.InvariantCulture, $"Status:       {Name(plan.Status)}{(plan.ReferralOnly && plan.Status != CarePlanStatus.ReferralOnly ? " (referral only)" : string.Empty)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Urgency:      {Name(plan.Urgency)}");
        if (plan.ReferralOnly)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Referral:     {plan.ReferralAction}");
            foreach (var advice in plan.InterimAdvice)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"Interim:      {advice}");
            }
        }

        RenderInterventions(text, plan);
        foreach (var excluded in plan.Excluded)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Excluded:     {excluded.Code} ({Display(excluded.Name, excluded.Code)}): {excluded.Reason}");
            AppendSources(text, excluded.Sources);
        }

        foreach (var caution in plan.Cautions)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Caution:      {caution}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Follow-up:    {FollowUp(plan)}");
        AppendSources(text, plan.FollowUpSources);
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Versions:     plan version {plan.Version} (use as --expected-version), drafted from assessment version {plan.AssessmentVersion}; rule set {plan.RuleSetVersion}, knowledge {plan.KnowledgeVersion}");
        if (plan.DraftedAt is not null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Drafted:      {Time(plan.DraftedAt)}");
        }

        if (plan.SupersedesCarePlanId.Length > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Supersedes:   {plan.SupersedesCarePlanId}");
        }

        if (plan.SupersededByCarePlanId.Length > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Superseded by {plan.SupersededByCarePlanId}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"Reviewer:     {Reviewer(plan)}");
        return text.ToString().TrimEnd();
    }

    public static string RenderList(ListCarePlansResponse response)
    {
        var text = new StringBuilder();
        text.AppendLine("status           urgency          v  care plan                                  assessment                             patient");
        foreach (var plan in response.CarePlans)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{Name(plan.Status),-16} {Name(plan.Urgency),-16} {plan.Version,-2} {plan.CarePlanId,-42} {plan.AssessmentId,-38} {plan.PatientRef}");
        }

        if (response.CarePlans.Count == 0)
        {
            text.AppendLine("(none)");
        }

        if (response.NextPageToken.Length > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"more: --page-token {response.NextPageToken}");
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The drafter orders interventions by phase already; grouping under a heading per phase keeps that order visible.</summary>
    private static void RenderInterventions(StringBuilder text, CarePlan.V1.CarePlan plan)
    {
        if (plan.Interventions.Count == 0)
        {
            text.AppendLine(plan.ReferralOnly ? "Interventions: none (referral only: no self-management programme until the person is seen)" : "Interventions: none");
            return;
        }

        text.AppendLine("Interventions:");
        foreach (var phase in plan.Interventions.GroupBy(i => i.Phase))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {Name(phase.Key)}");
            foreach (var intervention in phase)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {intervention.Code} - {Display(intervention.Name, intervention.Code)} [{Name(intervention.Stance)}]");
                foreach (var instruction in intervention.Instructions)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"{Indent}- {instruction}");
                }

                if (intervention.Schedule.Length > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"{Indent}schedule:  {intervention.Schedule}");
                }

                if (intervention.Rationale.Length > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"{Indent}why:       {intervention.Rationale}");
                }

                if (intervention.GuidanceNote.Length > 0)
                {
                    text.AppendLine(CultureInfo.InvariantCulture, $"{Indent}guidance:  {intervention.GuidanceNote}");
                }

                AppendSources(text, intervention.Sources);
            }
        }
    }

    private static void AppendSources(StringBuilder text, IEnumerable<Citation> sources)
    {
        var cited = sources.Select(s => s.Locator.Length > 0 ? $"{s.SourceId} {s.Locator}" : s.SourceId).ToList();
        if (cited.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{Indent}sources:   {string.Join("; ", cited)}");
        }
    }

    private static string FollowUp(CarePlan.V1.CarePlan plan)
    {
        var when = plan.FollowUpInDays > 0 ? string.Create(CultureInfo.InvariantCulture, $"in {plan.FollowUpInDays} days") : "not set";
        return plan.FollowUpDescription.Length > 0 ? $"{when}: {plan.FollowUpDescription}" : when;
    }

    private static string Reviewer(CarePlan.V1.CarePlan plan)
    {
        if (plan.ReviewedBy.Length == 0)
        {
            return "not reviewed yet";
        }

        var text = new StringBuilder(plan.ReviewedBy);
        if (plan.ReviewedAt is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" at {Time(plan.ReviewedAt)}");
        }

        if (plan.ReviewNote.Length > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $": \"{plan.ReviewNote}\"");
        }

        return text.ToString();
    }

    private static string Display(string name, string code) => name.Length > 0 ? name : code;

    private static string Time(Timestamp timestamp) => timestamp.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Name(CarePlanStatus status) => status switch
    {
        CarePlanStatus.PendingReview => "PENDING REVIEW",
        CarePlanStatus.Approved => "APPROVED",
        CarePlanStatus.Rejected => "REJECTED",
        CarePlanStatus.ReferralOnly => "REFERRAL ONLY",
        CarePlanStatus.Superseded => "SUPERSEDED",
        _ => "UNSPECIFIED",
    };

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

    private static string Name(CarePhase phase) => phase switch
    {
        CarePhase.Acute => "ACUTE: the first days, while the spasm is active",
        CarePhase.Recovery => "RECOVERY: once the spasm eases",
        CarePhase.Prevention => "PREVENTION: keeping it from coming back",
        CarePhase.Any => "THROUGHOUT",
        _ => "UNPHASED",
    };

    private static string Name(Stance stance) => stance switch
    {
        Stance.Recommended => "recommended",
        Stance.Consider => "consider",
        Stance.NotRecommended => "not recommended",
        Stance.InsufficientEvidence => "insufficient evidence",
        _ => "stance unspecified",
    };
}
