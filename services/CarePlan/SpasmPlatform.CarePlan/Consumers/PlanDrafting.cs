using SpasmPlatform.Assessment.V1;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.CarePlan.Consumers;

/// <summary>
/// One draft as both consumers make it: the pure drafter under a trace span, then the plan's identity. First drafts
/// and redrafts after an override are traced, counted and logged alike.
/// </summary>
internal static partial class PlanDrafting
{
    public static V1.CarePlan Draft(
        SubmitAssessmentRequest submission, TriageResult triage, KnowledgeBase knowledge,
        string assessmentId, int planNumber, string clinicId, string patientRef, long assessmentVersion)
    {
        V1.CarePlan plan;
        using (var activity = CarePlanTelemetry.Source.StartActivity("care plan draft", System.Diagnostics.ActivityKind.Internal))
        {
            plan = CarePlanDrafter.Draft(submission, triage, knowledge);
            activity?.SetTag("spasm.careplan.status", plan.Status.ToString());
            activity?.SetTag("spasm.careplan.interventions", plan.Interventions.Count);
        }

        plan.CarePlanId = CarePlanStream.PlanId(assessmentId, planNumber);
        plan.AssessmentId = assessmentId;
        plan.ClinicId = clinicId;
        plan.PatientRef = patientRef;
        plan.AssessmentVersion = assessmentVersion;
        return plan;
    }

    /// <summary>
    /// Once the plan is appended: counted, and one log line that (inside the consume span) carries the message's trace
    /// id, so an operator can go from a submission's trace to the plan and back. Ids and status only: no clinical data.
    /// A draft whose transaction rolls back is counted and logged again on retry.
    /// </summary>
    public static void Appended(ILogger logger, V1.CarePlan plan)
    {
        CarePlanTelemetry.RecordDrafted(plan.Status.ToString());
        Drafted(logger, plan.CarePlanId, plan.AssessmentId, plan.Status);
    }

    [LoggerMessage(1, LogLevel.Information, "Drafted care plan {CarePlanId} for assessment {AssessmentId}: {Status}")]
    private static partial void Drafted(ILogger logger, string carePlanId, string assessmentId, V1.CarePlanStatus status);
}
