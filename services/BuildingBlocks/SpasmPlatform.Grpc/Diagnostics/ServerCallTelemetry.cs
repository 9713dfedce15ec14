using System.Diagnostics;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.Grpc.Diagnostics;

/// <summary>The span and metric state of one server call, from the first interceptor to the status.</summary>
internal readonly record struct ServerCallTelemetry(Activity? Activity, string Service, string Method, long Started)
{
    /// <remarks>
    /// The span is parented on the caller's context from metadata, never on ASP.NET Core's own request activity: that one
    /// is not exported, and a span whose parent is missing from the trace would dangle.
    /// </remarks>
    public static ServerCallTelemetry Begin(ServerCallContext context)
    {
        var (service, method) = GrpcTelemetry.Split(context.Method);
        Activity? activity = null;
        if (GrpcTelemetry.ServerSource.HasListeners())
        {
            var parent = GrpcTelemetry.Extract(context.RequestHeaders);
            if (parent == default)
            {
                // A default parent means "Activity.Current", which is ASP.NET Core's unexported request activity.
                // Cleared only in this call's async flow: the caller's flow gets its own value back when we return.
                Activity.Current = null;
            }

            activity = GrpcTelemetry.ServerSource.StartActivity(
                context.Method.TrimStart('/'),
                ActivityKind.Server,
                parent,
                [
                    new("rpc.system", "grpc"),
                    new("rpc.service", service),
                    new("rpc.method", method),
                ]);
        }

        return new ServerCallTelemetry(activity, service, method, Stopwatch.GetTimestamp());
    }

    public void End(StatusCode code, Exception? error)
    {
        if (Activity is { } activity)
        {
            GrpcTelemetry.SetStatus(activity, code, error);
            activity.Dispose();
        }

        if (GrpcTelemetry.ServerCalls.Enabled || GrpcTelemetry.ServerDuration.Enabled)
        {
            var tags = new TagList
            {
                { "rpc.system", "grpc" },
                { "rpc.service", Service },
                { "rpc.method", Method },
                { "rpc.grpc.status_code", (int)code },
            };
            GrpcTelemetry.ServerCalls.Add(1, tags);
            GrpcTelemetry.ServerDuration.Record(Stopwatch.GetElapsedTime(Started).TotalMilliseconds, tags);
            if (code != StatusCode.OK)
            {
                GrpcTelemetry.ServerErrors.Add(1, tags);
            }
        }
    }
}
