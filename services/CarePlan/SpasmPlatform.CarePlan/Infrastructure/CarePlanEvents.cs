using Google.Protobuf;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Outbox;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Infrastructure;

/// <summary>Turns plans and reviews into stored events and the integration messages that announce them.</summary>
internal sealed class CarePlanEvents(EventStoreOptions options, IntegrationMessageTypes messageTypes, TimeProvider clock)
{
    public const string DrafterActor = "care-plan-service:drafter";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    /// <summary>The proto name ("CARE_PLAN_STATUS_APPROVED"): what other languages' consumers see for the enum.</summary>
    public static string StatusName(V1.CarePlanStatus status) =>
        V1.CareplanReflection.Descriptor.EnumTypes.Single(e => e.Name == nameof(V1.CarePlanStatus)).FindValueByNumber((int)status)?.Name ?? status.ToString();

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static SpasmPlatform.Assessment.V1.SubmitAssessmentRequest ParseSubmission(string json) =>
        Parser.Parse<SpasmPlatform.Assessment.V1.SubmitAssessmentRequest>(json);

    /// <summary>The submission as stored: protobuf JSON without its clinical notes (they are stored sealed beside it).</summary>
    public static string StoredSubmission(SpasmPlatform.Assessment.V1.SubmitAssessmentRequest submission)
    {
        var withoutNotes = submission.Clone();
        withoutNotes.ClinicalNotes = string.Empty;
        return Formatter.Format(withoutNotes);
    }

    public NewEvent Event<T>(T data, EventMetadata metadata)
        where T : notnull => EventJson.ToNewEvent(options.Types, data, metadata, Guid.CreateVersion7());

    public OutboxMessage Drafted(V1.CarePlan plan, string correlationId) =>
        messageTypes.Create(
            new Integration.CarePlanDrafted(
                Guid.CreateVersion7(), correlationId, plan.ClinicId, plan.CarePlanId, plan.AssessmentId, StatusName(plan.Status), plan.Urgency,
                plan.RuleSetVersion, plan.KnowledgeVersion, clock.GetUtcNow()),
            CarePlanStream.Id(plan.AssessmentId));

    public OutboxMessage Reviewed(V1.CarePlan plan, string status, string physiotherapistId, string note, string correlationId) =>
        messageTypes.Create(
            new Integration.CarePlanReviewed(
                Guid.CreateVersion7(), correlationId, plan.ClinicId, plan.CarePlanId, plan.AssessmentId, status, physiotherapistId, note,
                plan.RuleSetVersion, plan.KnowledgeVersion, clock.GetUtcNow()),
            CarePlanStream.Id(plan.AssessmentId));
}
