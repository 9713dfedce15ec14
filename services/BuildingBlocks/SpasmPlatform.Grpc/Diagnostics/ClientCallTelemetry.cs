using System.Diagnostics;
using Google.Protobuf;
using SpasmPlatform.Grpc.Client;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Diagnostics;

/// <summary>
/// The client span of one call, and the W3C trace context it sends in metadata. The call outlives the invoker method
/// that starts it, so the span is ended from the call's completion, not by a using block.
/// </summary>
internal static class ClientCallTelemetry
{
    /// <summary>Starts the client span (when anyone listens) and returns the options with traceparent / tracestate added.</summary>
    public static Activity? Start<TRequest, TResponse>(Method<TRequest, TResponse> method, ref CallOptions options)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        var caller = Activity.Current;
        Activity? activity = null;
        if (GrpcTelemetry.ClientSource.HasListeners())
        {
            activity = GrpcTelemetry.ClientSource.StartActivity(
                method.FullName.TrimStart('/'),
                ActivityKind.Client,
                parentContext: default,
                [
                    new("rpc.system", "grpc"),
                    new("rpc.service", method.ServiceName),
                    new("rpc.method", method.Name),
                ]);
            // The invoker returns while the call runs on; the caller's own flow must not continue inside the client span.
            Activity.Current = caller;
        }

        // Without our span (tracing off) the caller's activity still carries the trace on, as HttpClient would.
        if ((activity ?? caller) is { IdFormat: ActivityIdFormat.W3C } context
            && options.Headers?.GetValue(GrpcTelemetry.TraceParentHeader) is null)
        {
            var headers = new Metadata();
            foreach (var entry in options.Headers ?? [])
            {
                headers.Add(entry);
            }

            headers.Add(GrpcTelemetry.TraceParentHeader, context.Id!);
            if (!string.IsNullOrEmpty(context.TraceStateString))
            {
                headers.Add(GrpcTelemetry.TraceStateHeader, context.TraceStateString);
            }

            options = options.WithHeaders(headers);
        }

        return activity;
    }

    /// <summary>Ends the span with the call's status once <paramref name="completion"/> finishes; never throws.</summary>
    public static void EndWhen(Activity? activity, string fullName, Task completion, Func<Task, (StatusCode, Exception?)> outcome)
    {
        if (activity is null && !GrpcTelemetry.ClientDuration.Enabled)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        _ = completion.ContinueWith(
            task =>
            {
                var (code, error) = outcome(task);
                if (activity is not null)
                {
                    GrpcTelemetry.SetStatus(activity, code, error);
                    activity.Stop();
                }

                var (service, method) = GrpcTelemetry.Split(fullName);
                GrpcTelemetry.ClientDuration.Record(
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    new TagList { { "rpc.system", "grpc" }, { "rpc.service", service }, { "rpc.method", method }, { "rpc.grpc.status_code", (int)code } });
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The outcome of a call whose task carries the response (unary, client streaming).</summary>
    public static (StatusCode, Exception?) FromResponse(Task task) =>
        task.Exception?.InnerException switch
        {
            null when task.IsCanceled => (StatusCode.Cancelled, null),
            null => (StatusCode.OK, null),
            RpcException rpc => (rpc.StatusCode, rpc),
            var other => (StatusCode.Unknown, other),
        };

    /// <summary>The outcome of a call from its final status (streaming calls).</summary>
    public static (StatusCode, Exception?) FromStatus(Task task) =>
        task is Task<Status> { IsCompletedSuccessfully: true } status
            ? (status.Result.StatusCode, status.Result.StatusCode == StatusCode.OK ? null : new RpcException(status.Result))
            : (StatusCode.Unknown, task.Exception?.InnerException);
}
