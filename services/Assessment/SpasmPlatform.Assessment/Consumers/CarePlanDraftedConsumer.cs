using MassTransit;
using SpasmPlatform.Assessment.Infrastructure;
using SpasmPlatform.Contracts.IntegrationEvents;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Inbox;

namespace SpasmPlatform.Assessment.Consumers;

/// <summary>
/// Links a drafted care plan to its assessment (assessment.care_plan_linked). Through the inbox, so a redelivered
/// message links once; plans for assessments this store does not hold (or of another clinic) are acknowledged and
/// logged, since retrying cannot make them ours.
/// </summary>
internal sealed partial class CarePlanDraftedConsumer(IEventStore store, AssessmentRepository repository, ILogger<CarePlanDraftedConsumer> logger)
    : IdempotentConsumer<CarePlanDrafted>(store)
{
    protected override string ConsumerName => "assessment.care-plan-drafted";

    protected override async Task HandleAsync(ConsumeContext<CarePlanDrafted> context, EventStoreSession session)
    {
        var drafted = context.Message;
        if (!await repository.LinkCarePlanAsync(session, drafted, context.MessageId!.Value, context.CancellationToken))
        {
            NotLinked(logger, drafted.CarePlanId, drafted.AssessmentId, drafted.ClinicId);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Care plan {CarePlanId} not linked to assessment {AssessmentId} (clinic {ClinicId}): unknown here, another clinic's, or already linked.")]
    private static partial void NotLinked(ILogger logger, string carePlanId, string assessmentId, string clinicId);
}
