using System.Diagnostics;
using SpasmPlatform.Grpc.Diagnostics;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.Grpc.Interceptors;

/// <summary>
/// A server span per call, continuing the caller's W3C trace (traceparent / tracestate metadata), and the per-method
/// call, error and duration metrics. Register it first so that it covers the other interceptors.
/// </summary>
public sealed class ServerTelemetryInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var call = ServerCallTelemetry.Begin(context);
        try
        {
            var response = await continuation(request, context).ConfigureAwait(false);
            call.End(context.Status.StatusCode, null);
            return response;
        }
        catch (Exception ex)
        {
            call.End(CodeOf(ex, context), ex);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = ServerCallTelemetry.Begin(context);
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
            call.End(context.Status.StatusCode, null);
        }
        catch (Exception ex)
        {
            call.End(CodeOf(ex, context), ex);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = ServerCallTelemetry.Begin(context);
        try
        {
            var response = await continuation(requestStream, context).ConfigureAwait(false);
            call.End(context.Status.StatusCode, null);
            return response;
        }
        catch (Exception ex)
        {
            call.End(CodeOf(ex, context), ex);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = ServerCallTelemetry.Begin(context);
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
            call.End(context.Status.StatusCode, null);
        }
        catch (Exception ex)
        {
            call.End(CodeOf(ex, context), ex);
            throw;
        }
    }

    /// <summary>What the server will answer for an exception leaving the handler (see ServerMethodHandler).</summary>
    private static StatusCode CodeOf(Exception exception, ServerCallContext context) => exception switch
    {
        RpcException rpc => rpc.StatusCode,
        OperationCanceledException when context.CancellationToken.IsCancellationRequested =>
            context.Deadline <= DateTime.UtcNow ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
        _ => StatusCode.Unknown,
    };
}
