using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SpasmPlatform.ServiceDefaults.Grpc;

/// <summary>
/// One log line per gRPC call: method, status and duration, written once the response has left (OnCompleted), so the
/// log says what the caller received, not what the handler meant to send. Never logs message contents (they may hold
/// clinical data). Written here because grpc-dotnet's own logging has no per-call outcome line at Information.
/// </summary>
public static partial class CallLog
{
    public static IApplicationBuilder UseGrpcCallLog(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("SpasmPlatform.Grpc.CallLog");
        return app.Use(async (context, next) =>
        {
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            context.Response.OnCompleted(() =>
            {
                CallCompleted(logger, context.Request.Path.Value ?? string.Empty, StatusOf(context), Stopwatch.GetElapsedTime(started).TotalMilliseconds, Peer(context));
                return Task.CompletedTask;
            });
            await next(context).ConfigureAwait(false);
        });
    }

    /// <summary>grpc-status from the trailers, or from the headers of a trailers-only answer; UNKNOWN when the stream was cut.</summary>
    private static StatusCode StatusOf(HttpContext context)
    {
        var value = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString();
        if (string.IsNullOrEmpty(value))
        {
            value = context.Response.Headers["grpc-status"].ToString();
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) && context.RequestAborted.IsCancellationRequested is false
            ? (StatusCode)code
            : context.RequestAborted.IsCancellationRequested ? StatusCode.Cancelled : StatusCode.Unknown;
    }

    private static string Peer(HttpContext context) =>
        context.Connection.RemoteIpAddress is { } address
            ? string.Create(CultureInfo.InvariantCulture, $"{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "ipv6:[" + address + "]" : "ipv4:" + address)}:{context.Connection.RemotePort}")
            : "unknown";

    [LoggerMessage(10, LogLevel.Information, "gRPC {Method} -> {StatusCode} in {ElapsedMs:0.0} ms from {Peer}")]
    private static partial void CallCompleted(ILogger logger, string method, StatusCode statusCode, double elapsedMs, string peer);
}
