using System.IO.Pipelines;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Server;

/// <summary>
/// Serves one RPC. Built once at start-up with the handler pipeline (interceptors around the service method)
/// already composed, so a call does no reflection.
/// </summary>
internal sealed class ServerMethodHandler<TRequest, TResponse>(
    Method<TRequest, TResponse> method,
    ServerMethodPipeline<TRequest, TResponse> pipeline,
    GrpcServiceOptions options,
    ILogger logger)
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    public Method<TRequest, TResponse> Method => method;

    public Task HandleAsync(HttpContext http)
    {
        if (!ProtocolGuard.Check(http))
        {
            return Task.CompletedTask;
        }

        var call = new HttpServerCall(http, method.FullName, options, logger);
        if (call.Initialize(method.Type is MethodType.ClientStreaming or MethodType.DuplexStreaming) is { } initError)
        {
            return call.EndAsync(initError, null);
        }

        return call.HasTimer ? HandleWithDeadlineAsync(http, call) : ProcessAsync(http, call);
    }

    private async Task HandleWithDeadlineAsync(HttpContext http, HttpServerCall call)
    {
        using (call)
        {
            await call.RunWithDeadlineAsync(ProcessAsync(http, call)).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(HttpContext http, HttpServerCall call)
    {
        Status status;
        Google.Rpc.Status? richStatus = null;
        try
        {
            await InvokeAsync(http.Request.BodyReader, call).ConfigureAwait(false);
            status = call.Status;
        }
        catch (Exception ex)
        {
            (status, richStatus) = ToStatus(ex, http, call);
        }

        await call.EndAsync(status, richStatus).ConfigureAwait(false);
    }

    private async Task InvokeAsync(PipeReader body, HttpServerCall call)
    {
        switch (method.Type)
        {
            case MethodType.Unary:
            {
                var request = await ReadSingleAsync(body, call).ConfigureAwait(false);
                var response = await pipeline.Unary!(request, call).ConfigureAwait(false);
                await WriteSingleAsync(call, response).ConfigureAwait(false);
                break;
            }

            case MethodType.ServerStreaming:
            {
                var request = await ReadSingleAsync(body, call).ConfigureAwait(false);
                await pipeline.ServerStreaming!(request, new HttpResponseStreamWriter<TResponse>(call), call).ConfigureAwait(false);
                break;
            }

            case MethodType.ClientStreaming:
            {
                var reader = new HttpRequestStreamReader<TRequest>(call, body, method.RequestParser);
                var response = await pipeline.ClientStreaming!(reader, call).ConfigureAwait(false);
                await WriteSingleAsync(call, response).ConfigureAwait(false);
                break;
            }

            case MethodType.DuplexStreaming:
            {
                var reader = new HttpRequestStreamReader<TRequest>(call, body, method.RequestParser);
                await pipeline.DuplexStreaming!(reader, new HttpResponseStreamWriter<TResponse>(call), call).ConfigureAwait(false);
                break;
            }
        }
    }

    private static Task WriteSingleAsync(HttpServerCall call, TResponse? response)
    {
        if (response is null)
        {
            throw new RpcException(new Status(StatusCode.Internal, "No message returned from method."));
        }

        // A handler that set a failure status without throwing gets no response message, as in grpc-dotnet.
        return call.Status.StatusCode == StatusCode.OK ? call.WriteMessageAsync(response, call.CancellationToken) : Task.CompletedTask;
    }

    /// <summary>Unary and server-streaming requests carry exactly one message and nothing after it.</summary>
    private async ValueTask<TRequest> ReadSingleAsync(PipeReader body, HttpServerCall call)
    {
        var request = await MessageFraming.ReadMessageAsync(body, method.RequestParser, call.MaxReceiveMessageSize, call.RequestEncoding, call.CancellationToken).ConfigureAwait(false)
            ?? throw new RpcException(new Status(StatusCode.Internal, "Request did not include a message."));
        if (await MessageFraming.ReadMessageAsync(body, method.RequestParser, call.MaxReceiveMessageSize, call.RequestEncoding, call.CancellationToken).ConfigureAwait(false) is not null)
        {
            throw new RpcException(new Status(StatusCode.Internal, "Additional data after the message received."));
        }

        return request;
    }

    private (Status Status, Google.Rpc.Status? Rich) ToStatus(Exception ex, HttpContext http, HttpServerCall call)
    {
        switch (ex)
        {
            case RpcException rpc:
                foreach (var entry in rpc.Trailers)
                {
                    call.ResponseTrailers.Add(entry);
                }

                return (rpc.Status, rpc.RichStatus);

            case OperationCanceledException or IOException when call.DeadlineExceeded:
                return (new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"), null);

            case OperationCanceledException or IOException when http.RequestAborted.IsCancellationRequested:
                Log.CallCancelled(logger, method.FullName);
                return (new Status(StatusCode.Cancelled, "Call canceled by the client."), null);

            default:
                var traceId = HttpServerCall.CurrentTraceId(http);
                Log.HandlerFailed(logger, ex, method.FullName, traceId);
                var detail = options.EnableDetailedErrors
                    ? $"Exception was thrown by handler. {ex.GetType().Name}: {ex.Message} (trace id {traceId})"
                    : $"Exception was thrown by handler. (trace id {traceId})";
                return (new Status(StatusCode.Unknown, detail), null);
        }
    }
}
