using MassTransit;
using Microsoft.Extensions.Options;
using SpasmPlatform.EventStore;

namespace SpasmPlatform.Assessment.Consumers;

/// <summary>One queue per deployment (named after its event store), shared by its instances.</summary>
internal sealed class CarePlanDraftedConsumerDefinition : ConsumerDefinition<CarePlanDraftedConsumer>
{
    public CarePlanDraftedConsumerDefinition(EventStoreOptions store, IOptions<AssessmentOptions> options)
    {
        EndpointName = $"{store.Schema}-care-plan-drafted";
        ConcurrentMessageLimit = options.Value.CarePlanLinkConcurrency;
    }
}
