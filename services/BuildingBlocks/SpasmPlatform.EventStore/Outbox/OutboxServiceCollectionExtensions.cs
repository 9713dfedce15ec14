using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SpasmPlatform.EventStore.Outbox;

public static class OutboxServiceCollectionExtensions
{
    /// <summary>
    /// Runs the outbox relay of the host's event store as a hosted service, publishing through the host's MassTransit bus.
    /// Call after <c>AddEventStore</c> and <c>AddMassTransit</c>. The message types are also registered as a singleton
    /// <see cref="IntegrationMessageTypes"/> so that writers create outbox messages the relay can publish. Every
    /// <see cref="IOutboxMessageOpener"/> registered in the container is applied to its type before publishing.
    /// </summary>
    public static IServiceCollection AddOutboxRelay(this IServiceCollection services, Action<OutboxRelayOptions> configure)
    {
        var options = new OutboxRelayOptions();
        configure(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(options.MessageTypes);
        // IBus, not the scoped IPublishEndpoint: the relay is a singleton and publishes outside any consume context.
        services.AddSingleton(sp => new OutboxRelay(
            sp.GetRequiredService<MartenEventStore>(),
            sp.GetRequiredService<IBus>(),
            options,
            sp.GetRequiredService<ILogger<OutboxRelay>>(),
            sp.GetServices<IOutboxMessageOpener>()));
        services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        return services;
    }
}
