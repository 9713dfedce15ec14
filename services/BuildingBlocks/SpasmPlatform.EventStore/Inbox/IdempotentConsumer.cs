using System.Diagnostics;
using MassTransit;
using SpasmPlatform.EventStore.Diagnostics;

namespace SpasmPlatform.EventStore.Inbox;

/// <summary>
/// A MassTransit consumer whose effects happen at most once per message id, however often the broker delivers it.
/// The inbox mark, the appended events and any outbox messages commit in one transaction: a duplicate finds the mark
/// and is acknowledged without effect; a failure rolls all of it back and throws, so MassTransit retries the message
/// and finally moves it to the endpoint's <c>_error</c> queue. Nothing is acknowledged and dropped.
/// Two deliveries of one message handled at the same time serialize on the inbox row's unique key: the second waits
/// for the first to commit (then skips) or roll back (then does the work).
/// </summary>
public abstract class IdempotentConsumer<TMessage>(IEventStore store) : IConsumer<TMessage>
    where TMessage : class
{
    /// <summary>
    /// The name the inbox records this consumer under. It must stay the same across deployments, or messages already
    /// handled would be handled again; override it before renaming the class.
    /// </summary>
    protected virtual string ConsumerName => GetType().FullName ?? GetType().Name;

    public async Task Consume(ConsumeContext<TMessage> context)
    {
        var messageId = context.MessageId ?? throw new InboxMessageIdMissingException(typeof(TMessage));
        using var activity = StartActivity(context, messageId);
        if (context.SentTime is { } sent)
        {
            EventStoreTelemetry.ConsumerLag.Record(
                Math.Max(0, (DateTime.UtcNow - sent).TotalMilliseconds), new KeyValuePair<string, object?>("spasm.consumer", ConsumerName));
        }

        await using var session = await store.OpenSessionAsync(context.CancellationToken).ConfigureAwait(false);
        if (!await session.TryMarkProcessedAsync(ConsumerName, messageId, context.CancellationToken).ConfigureAwait(false))
        {
            // Handled before and committed with its mark: acknowledging the duplicate is all there is to do.
            activity?.SetTag("spasm.inbox.duplicate", true);
            return;
        }

        try
        {
            await HandleAsync(context, session).ConfigureAwait(false);
            await session.CommitAsync(context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private Activity? StartActivity(ConsumeContext<TMessage> context, Guid messageId)
    {
        if (!EventStoreTelemetry.Source.HasListeners())
        {
            return null;
        }

        // Under MassTransit's consume span when it is recorded; otherwise straight under the publisher's context.
        var parent = Activity.Current is null
            && context.Headers.Get<string>(EventStoreTelemetry.TraceParentHeader) is { } traceParent
            && ActivityContext.TryParse(traceParent, null, isRemote: true, out var remote)
                ? remote
                : default;
        return EventStoreTelemetry.Source.StartActivity(
            $"consume {typeof(TMessage).Name}",
            parent == default ? ActivityKind.Internal : ActivityKind.Consumer,
            parent,
            [
                new("messaging.system", "rabbitmq"),
                new("messaging.operation.type", "process"),
                new("messaging.message.id", messageId.ToString()),
                new("spasm.consumer", ConsumerName),
            ]);
    }

    /// <summary>The consumer's work, in <paramref name="session"/>; commit is the caller's. Throw to fail the message.</summary>
    protected abstract Task HandleAsync(ConsumeContext<TMessage> context, EventStoreSession session);
}
