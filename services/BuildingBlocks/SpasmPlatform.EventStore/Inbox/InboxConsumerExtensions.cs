using MassTransit;

namespace SpasmPlatform.EventStore.Inbox;

/// <summary>Registration and retry for <see cref="IdempotentConsumer{TMessage}"/> consumers.</summary>
public static class InboxConsumerExtensions
{
    /// <summary>Adds the consumer with <paramref name="retry"/> (default <see cref="InboxRetryPolicy.Default"/>) on its own pipeline.</summary>
    public static IConsumerRegistrationConfigurator<TConsumer> AddIdempotentConsumer<TConsumer>(this IBusRegistrationConfigurator bus, InboxRetryPolicy? retry = null)
        where TConsumer : class, IConsumer =>
        bus.AddConsumer<TConsumer>((_, consumer) => consumer.UseInboxRetry(retry));

    /// <summary>As above, with the endpoint (queue name, concurrency) from the consumer's definition beside it.</summary>
    public static IConsumerRegistrationConfigurator<TConsumer> AddIdempotentConsumer<TConsumer, TDefinition>(this IBusRegistrationConfigurator bus, InboxRetryPolicy? retry = null)
        where TConsumer : class, IConsumer
        where TDefinition : class, IConsumerDefinition<TConsumer> =>
        bus.AddConsumer<TConsumer>(typeof(TDefinition), (_, consumer) => consumer.UseInboxRetry(retry));

    public static void UseInboxRetry<TConsumer>(this IConsumerConfigurator<TConsumer> consumer, InboxRetryPolicy? retry = null)
        where TConsumer : class =>
        consumer.UseMessageRetry(r => Configure(r, retry ?? InboxRetryPolicy.Default));

    /// <summary>For receive endpoints configured by hand: retries every consumer on the endpoint.</summary>
    public static void UseInboxRetry(this IReceiveEndpointConfigurator endpoint, InboxRetryPolicy? retry = null) =>
        endpoint.UseMessageRetry(r => Configure(r, retry ?? InboxRetryPolicy.Default));

    private static void Configure(IRetryConfigurator retry, InboxRetryPolicy policy)
    {
        // Retrying will not give a message an id: straight to the error queue.
        retry.Ignore<InboxMessageIdMissingException>();
        retry.Intervals([.. policy.Intervals]);
    }
}
