using MassTransit;
using Microsoft.Extensions.Options;

namespace SpasmPlatform.CarePlan.Consumers;

/// <summary>Drafting: the busiest queue, with more in flight (see <see cref="CarePlanOptions.DraftingConcurrency"/>).</summary>
internal sealed class TriageDecidedConsumerDefinition : ConsumerDefinition<TriageDecidedConsumer>
{
    public TriageDecidedConsumerDefinition(IOptions<CarePlanOptions> options)
    {
        EndpointName = $"{options.Value.QueuePrefix}careplan-triage-decided";
        ConcurrentMessageLimit = options.Value.DraftingConcurrency;
        Endpoint(endpoint => endpoint.PrefetchCount = options.Value.DraftingConcurrency * 2);
    }
}

internal sealed class TriageOverriddenConsumerDefinition : ConsumerDefinition<TriageOverriddenConsumer>
{
    public TriageOverriddenConsumerDefinition(IOptions<CarePlanOptions> options) =>
        EndpointName = $"{options.Value.QueuePrefix}careplan-triage-overridden";
}

internal sealed class ClinicalNotesErasedConsumerDefinition : ConsumerDefinition<ClinicalNotesErasedConsumer>
{
    public ClinicalNotesErasedConsumerDefinition(IOptions<CarePlanOptions> options) =>
        EndpointName = $"{options.Value.QueuePrefix}careplan-clinical-notes-erased";
}
