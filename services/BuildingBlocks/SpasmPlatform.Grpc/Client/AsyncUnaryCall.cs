using System.Runtime.CompilerServices;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

/// <summary>A unary call in flight. Awaiting it yields the response; disposing it cancels the call if unfinished.</summary>
public sealed class AsyncUnaryCall<TResponse>(
    Task<TResponse> responseAsync,
    Task<Metadata> responseHeadersAsync,
    Func<Status> getStatusFunc,
    Func<Metadata> getTrailersFunc,
    Action disposeAction) : IDisposable
{
    /// <summary>Completes with the response, or faults with <see cref="RpcException"/> when the call fails.</summary>
    public Task<TResponse> ResponseAsync { get; } = responseAsync;

    public Task<Metadata> ResponseHeadersAsync { get; } = responseHeadersAsync;

    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    public ConfiguredTaskAwaitable<TResponse> ConfigureAwait(bool continueOnCapturedContext) =>
        ResponseAsync.ConfigureAwait(continueOnCapturedContext);

    /// <summary>The final status; throws <see cref="InvalidOperationException"/> while the call is running.</summary>
    public Status GetStatus() => getStatusFunc();

    /// <summary>The trailers; throws <see cref="InvalidOperationException"/> while the call is running.</summary>
    public Metadata GetTrailers() => getTrailersFunc();

    public void Dispose() => disposeAction();
}
