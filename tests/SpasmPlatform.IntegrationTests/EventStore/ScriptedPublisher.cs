using MassTransit;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// A publish endpoint whose confirms the test hands out: every publish is recorded in call order and completes only
/// when the test confirms or fails it, so the relay's handling of out-of-order and failed confirms can be driven exactly.
/// With <see cref="ConfirmImmediately"/> set, publishes complete at once.
/// </summary>
internal sealed class ScriptedPublisher : IPublishEndpoint
{
    private readonly Lock _lock = new();
    private readonly List<(OutboxProbe Probe, TaskCompletionSource Confirm)> _published = [];

    public bool ConfirmImmediately { get; set; }

    public IReadOnlyList<(OutboxProbe Probe, TaskCompletionSource Confirm)> Published
    {
        get
        {
            lock (_lock)
            {
                return [.. _published];
            }
        }
    }

    public Task Publish(object message, Type messageType, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default)
    {
        var confirm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            _published.Add(((OutboxProbe)message, confirm));
        }

        if (ConfirmImmediately)
        {
            confirm.SetResult();
        }

        return confirm.Task;
    }

    public ConnectHandle ConnectPublishObserver(IPublishObserver observer) => throw new NotSupportedException();

    public Task Publish<T>(T message, CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();

    public Task Publish<T>(T message, IPipe<PublishContext<T>> publishPipe, CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();

    public Task Publish<T>(T message, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();

    public Task Publish(object message, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task Publish(object message, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task Publish(object message, Type messageType, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public Task Publish<T>(object values, CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();

    public Task Publish<T>(object values, IPipe<PublishContext<T>> publishPipe, CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();

    public Task Publish<T>(object values, IPipe<PublishContext> publishPipe, CancellationToken cancellationToken = default) where T : class => throw new NotSupportedException();
}
