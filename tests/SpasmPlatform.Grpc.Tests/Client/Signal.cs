namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>A one-shot event a test waits on with a deadline, instead of sleeping.</summary>
internal sealed class Signal<T>
{
    private readonly TaskCompletionSource<T> _source = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsSet => _source.Task.IsCompleted;

    public void Set(T value) => _source.TrySetResult(value);

    public Task<T> WaitAsync() => _source.Task.WaitAsync(TimeSpan.FromSeconds(10));
}
