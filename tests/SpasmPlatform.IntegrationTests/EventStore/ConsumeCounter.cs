using MassTransit;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>Counts deliveries of <typeparamref name="T"/> that a bus finished consuming, successfully or not.</summary>
public sealed class ConsumeCounter<T> : IConsumeMessageObserver<T>
    where T : class
{
    private int _completed;
    private int _faulted;

    public int Completed => Volatile.Read(ref _completed);

    public int Faulted => Volatile.Read(ref _faulted);

    public Task PreConsume(ConsumeContext<T> context) => Task.CompletedTask;

    public Task PostConsume(ConsumeContext<T> context)
    {
        Interlocked.Increment(ref _completed);
        return Task.CompletedTask;
    }

    public Task ConsumeFault(ConsumeContext<T> context, Exception exception)
    {
        Interlocked.Increment(ref _faulted);
        return Task.CompletedTask;
    }
}
