namespace SpasmPlatform.Grpc.Tests.Client;

/// <summary>Bounds awaits on calls, so that a regression which leaves a call hanging fails the test instead of the run.</summary>
internal static class TaskTimeouts
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    public static Task<T> OrTimeout<T>(this Task<T> task) => task.WaitAsync(Limit);

    public static Task OrTimeout(this Task task) => task.WaitAsync(Limit);
}
