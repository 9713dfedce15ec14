using SpasmPlatform.ServiceDefaults.Startup;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using MassTransit;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.Contracts.Presentation;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Inbox;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Consumers;

/// <summary>
/// Redrafts the plan for the overriding urgency from the submission and triage the first draft stored, with the same
/// pinned knowledge version; the old plan is marked superseded in the same append. An override already reflected
/// (its assessment version is not newer than the current plan's) is a no-op. An override that arrives before its
/// triage fails, is retried and, if the triage never comes, ends in the error queue.
/// </summary>
internal sealed class TriageOverriddenConsumer(
    IEventStore store,
    ServiceStartup startup,
    KnowledgeCache knowledge,
    CarePlanEvents events,
    CarePlanNotes notes,
    ILogger<TriageOverriddenConsumer> logger) : IdempotentConsumer<Integration.TriageOverridden>(store)
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    private readonly IEventStore _store = store;

    protected override string ConsumerName => "careplan.triage-overridden";

    protected override async Task HandleAsync(ConsumeContext<Integration.TriageOverridden> context, EventStoreSession session)
    {
        var message = context.Message;
        await startup.WhenReadyAsync(context.CancellationToken);
        var streamId = CarePlanStream.Id(message.AssessmentId);
        var state = CarePlanState.Fold(await _store.ReadStreamAsync(streamId, cancellationToken: context.CancellationToken));
        var current = state.Current
            ?? throw new InvalidOperationException($"No care plan for assessment {message.AssessmentId} yet; its TriageDecided has not been handled.");
        if (current.AssessmentVersion >= message.AssessmentVersion)
        {
            return;
        }

        var source = state.Draft(current.CarePlanId);
        // The redraft reads the notes as they are now: erased notes no longer count.
        var (submission, _) = await notes.SubmissionAsync(source, context.CancellationToken);
        var triage = Parser.Parse<TriageResult>(source.TriageJson);
        if (triage.EngineUrgency == Common.V1.Urgency.Unspecified)
        {
            triage.EngineUrgency = triage.Urgency;
        }

        triage.Urgency = message.Urgency;
        triage.Override = new TriageOverride
        {
            Urgency = message.Urgency,
            ClinicianId = message.ClinicianId,
            Reason = message.Reason,
            At = Timestamp.FromDateTimeOffset(message.OverriddenAt),
        };
        var knowledgeBase = await knowledge.GetAsync(current.KnowledgeVersion, context.CancellationToken);

        var plan = PlanDrafting.Draft(
            submission, triage, knowledgeBase, message.AssessmentId, state.Plans.Count + 1, current.ClinicId, current.PatientRef, message.AssessmentVersion);
        plan.SupersedesCarePlanId = current.CarePlanId;

        var metadata = new EventMetadata(CorrelationId: message.CorrelationId, CausationId: message.MessageId.ToString(), Actor: message.ClinicianId, TenantId: message.ClinicId);
        var superseded = new CarePlanSuperseded(current.CarePlanId, plan.CarePlanId, $"Triage overridden to {HumanText.Of(message.Urgency)} by {message.ClinicianId}: {message.Reason}");
        var drafted = new CarePlanDrafted(
            plan.CarePlanId, plan.AssessmentId, message.AssessmentVersion, ProtoJson.ToElement(plan), source.SubmissionJson, Formatter.Format(triage), current.CarePlanId,
            source.SealedClinicalNotes);
        await session.AppendAsync(
            streamId, CarePlanStream.StreamType, ExpectedVersion.Exactly(state.Version),
            [events.Event(superseded, metadata), events.Event(drafted, metadata with { Actor = CarePlanEvents.DrafterActor })],
            context.CancellationToken);
        session.Publish(events.Drafted(plan, message.CorrelationId));
        PlanDrafting.Appended(logger, plan);
    }
}
