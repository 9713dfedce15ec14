using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.Grpc.Interceptors;

/// <summary>One log line per call: method, outcome and duration. Never logs message contents (they may hold clinical data).</summary>
public sealed partial class ServerLoggingInterceptor(ILogger<ServerLoggingInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            Completed(context, context.Status.StatusCode, started);
            return response;
        }
        catch (RpcException ex)
        {
            Completed(context, ex.StatusCode, started);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            Completed(context, context.Status.StatusCode, started);
        }
        catch (RpcException ex)
        {
            Completed(context, ex.StatusCode, started);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await continuation(requestStream, context).ConfigureAwait(false);
            Completed(context, context.Status.StatusCode, started);
            return response;
        }
        catch (RpcException ex)
        {
            Completed(context, ex.StatusCode, started);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            Completed(context, context.Status.StatusCode, started);
        }
        catch (RpcException ex)
        {
            Completed(context, ex.StatusCode, started);
            throw;
        }
    }

    private void Completed(ServerCallContext context, StatusCode code, long started) =>
        CallCompleted(logger, context.Method, code, Stopwatch.GetElapsedTime(started).TotalMilliseconds, context.Peer);

    [LoggerMessage(10, LogLevel.Information, "gRPC {Method} -> {StatusCode} in {ElapsedMs:0.0} ms from {Peer}")]
    private static partial void CallCompleted(ILogger logger, string method, StatusCode statusCode, double elapsedMs, string peer);
}
