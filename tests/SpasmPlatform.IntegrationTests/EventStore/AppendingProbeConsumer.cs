using MassTransit;
using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Inbox;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// An idempotent consumer whose effect is one event on the probe's stream. It appends before it fails, so a failed
/// attempt that left anything behind would show up as an extra event.
/// </summary>
public sealed class AppendingProbeConsumer(IEventStore store, InboxScenario scenario) : IdempotentConsumer<InboxProbe>(store)
{
    protected override async Task HandleAsync(ConsumeContext<InboxProbe> context, EventStoreSession session)
    {
        await session.AppendAsync(context.Message.StreamId, "probe", ExpectedVersion.Any, [OutboxTable.ProbeEvent(1)], context.CancellationToken);
        if (scenario.NextAttemptFails())
        {
            throw new InvalidOperationException($"probe failure on {context.Message.StreamId}");
        }
    }
}
