using SpasmPlatform.ServiceDefaults.Startup;
using Google.Protobuf;
using MassTransit;
using SpasmPlatform.Assessment.V1;
using SpasmPlatform.CarePlan.Domain;
using SpasmPlatform.CarePlan.Drafting;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Inbox;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.CarePlan.Consumers;

/// <summary>
/// Drafts the first plan of an assessment. The inbox makes a redelivered message a no-op; the stream's "no stream"
/// expectation makes a second message for the same assessment (a republish, or another instance racing on it) a
/// no-op too: the loser's append conflicts, its transaction rolls back, and on retry it finds the stream and stops.
/// </summary>
internal sealed class TriageDecidedConsumer(
    IEventStore store,
    ServiceStartup startup,
    KnowledgeCache knowledge,
    CarePlanEvents events,
    CarePlanNotes notes,
    ILogger<TriageDecidedConsumer> logger) : IdempotentConsumer<Integration.TriageDecided>(store)
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    private readonly IEventStore _store = store;

    protected override string ConsumerName => "careplan.triage-decided";

    protected override async Task HandleAsync(ConsumeContext<Integration.TriageDecided> context, EventStoreSession session)
    {
        var message = context.Message;
        await startup.WhenReadyAsync(context.CancellationToken);
        var streamId = CarePlanStream.Id(message.AssessmentId);
        if (await _store.GetStreamAsync(streamId, context.CancellationToken) is not null)
        {
            return;
        }

        var submission = Parser.Parse<SubmitAssessmentRequest>(message.SubmissionJson);
        // Sealed with this service's key before anything is stored; cleared if an erasure got here first.
        var sealedNotes = await notes.SealAsync(
            session.Connection, session.Transaction, submission, message.AssessmentId, message.ClinicalNotesGeneration, context.CancellationToken);
        var triage = Parser.Parse<TriageResult>(message.TriageJson);
        var version = message.KnowledgeVersion.Length > 0 ? message.KnowledgeVersion : triage.KnowledgeVersion;
        var knowledgeBase = await knowledge.GetAsync(version, context.CancellationToken);

        var plan = PlanDrafting.Draft(
            submission, triage, knowledgeBase, message.AssessmentId, 1, message.ClinicId, message.PatientRef, message.AssessmentVersion);

        var drafted = new CarePlanDrafted(
            plan.CarePlanId, plan.AssessmentId, message.AssessmentVersion, ProtoJson.ToElement(plan), CarePlanEvents.StoredSubmission(submission), message.TriageJson, null,
            sealedNotes);
        var metadata = new EventMetadata(CorrelationId: message.CorrelationId, CausationId: message.MessageId.ToString(), Actor: CarePlanEvents.DrafterActor, TenantId: message.ClinicId);
        await session.AppendAsync(streamId, CarePlanStream.StreamType, ExpectedVersion.NoStream, [events.Event(drafted, metadata)], context.CancellationToken);
        session.Publish(events.Drafted(plan, message.CorrelationId));
        PlanDrafting.Appended(logger, plan);
    }
}
