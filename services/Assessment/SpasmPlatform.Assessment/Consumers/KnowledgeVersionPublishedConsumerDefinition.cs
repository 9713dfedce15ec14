using MassTransit;
using SpasmPlatform.EventStore;

namespace SpasmPlatform.Assessment.Consumers;

/// <summary>
/// A temporary queue of this instance's own: each instance keeps its own current version, so each must hear every
/// announcement. A failed switch (the knowledge service briefly away) is retried over about twenty seconds.
/// </summary>
internal sealed class KnowledgeVersionPublishedConsumerDefinition : ConsumerDefinition<KnowledgeVersionPublishedConsumer>
{
    public KnowledgeVersionPublishedConsumerDefinition(EventStoreOptions store)
    {
        EndpointName = $"{store.Schema}-knowledge-version-{Guid.NewGuid():N}";
        Endpoint(endpoint => endpoint.Temporary = true);
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<KnowledgeVersionPublishedConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseMessageRetry(retry => retry.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15)));
}
