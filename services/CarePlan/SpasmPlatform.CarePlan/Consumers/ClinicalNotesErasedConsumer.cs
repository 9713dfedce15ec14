using SpasmPlatform.ServiceDefaults.Startup;
using MassTransit;
using SpasmPlatform.CarePlan.Infrastructure;
using SpasmPlatform.Contracts.IntegrationEvents;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Inbox;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.CarePlan.Consumers;

/// <summary>
/// Destroys this service's keys for the patient's notes up to the erased generation, in the inbox's transaction. A
/// tombstone covers generations not seen yet, so a TriageDecided still on its way stores no notes when it arrives.
/// Plans, reviews and the streams are untouched.
/// </summary>
internal sealed class ClinicalNotesErasedConsumer(
    IEventStore store,
    ServiceStartup startup,
    PatientKeyStore keys) : IdempotentConsumer<ClinicalNotesErased>(store)
{
    protected override string ConsumerName => "careplan.clinical-notes-erased";

    protected override async Task HandleAsync(ConsumeContext<ClinicalNotesErased> context, EventStoreSession session)
    {
        var message = context.Message;
        await startup.WhenReadyAsync(context.CancellationToken);
        await keys.EraseAsync(session.Connection, session.Transaction, message.ClinicId, message.PatientRef, message.ThroughGeneration, context.CancellationToken)
            ;
    }
}
