using System.Diagnostics;
using System.Diagnostics.Metrics;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Diagnostics;

/// <summary>
/// The activity sources and instruments of our gRPC layer. Names and attributes follow the OpenTelemetry RPC semantic
/// conventions, so dashboards built for Grpc.AspNetCore / Grpc.Net.Client read ours unchanged.
/// </summary>
public static class GrpcTelemetry
{
    public const string ServerSourceName = "SpasmPlatform.Grpc.Server";
    public const string ClientSourceName = "SpasmPlatform.Grpc.Client";
    public const string MeterName = "SpasmPlatform.Grpc";

    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    internal static readonly ActivitySource ServerSource = new(ServerSourceName);
    internal static readonly ActivitySource ClientSource = new(ClientSourceName);
    internal static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> ServerCalls = Meter.CreateCounter<long>("rpc.server.calls", "{call}", "Completed server calls, by method and status code.");
    internal static readonly Counter<long> ServerErrors = Meter.CreateCounter<long>("rpc.server.errors", "{call}", "Server calls that ended with a status other than OK.");
    internal static readonly Histogram<double> ServerDuration = Meter.CreateHistogram<double>("rpc.server.duration", "ms", "Server call duration.");
    internal static readonly Histogram<double> ClientDuration = Meter.CreateHistogram<double>("rpc.client.duration", "ms", "Client call duration, retries included.");

    /// <summary>"/package.Service/Method" into ("package.Service", "Method"); anything else is kept whole as the service.</summary>
    internal static (string Service, string Method) Split(string fullName)
    {
        var path = fullName.AsSpan().TrimStart('/');
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? (path.ToString(), string.Empty) : (path[..slash].ToString(), path[(slash + 1)..].ToString());
    }

    /// <summary>The W3C context a caller sent in metadata; default when it sent none or an invalid one.</summary>
    internal static ActivityContext Extract(Metadata headers) =>
        headers.GetValue(TraceParentHeader) is { } traceParent
        && ActivityContext.TryParse(traceParent, headers.GetValue(TraceStateHeader), isRemote: true, out var context)
            ? context
            : default;

    internal static void SetStatus(Activity activity, StatusCode code, Exception? error)
    {
        activity.SetTag("rpc.grpc.status_code", (int)code);
        if (code != StatusCode.OK)
        {
            activity.SetStatus(ActivityStatusCode.Error, error?.Message ?? code.ToString());
            if (error is not null)
            {
                activity.SetTag("error.type", error is RpcException ? code.ToString() : error.GetType().FullName);
            }
        }
    }
}
