using Microsoft.Extensions.Logging;

namespace SpasmPlatform.Grpc.Server;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Error, "Handler of {Method} threw; the client got UNKNOWN (trace id {TraceId}).")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string method, string traceId);

    [LoggerMessage(2, LogLevel.Debug, "Call {Method} was cancelled by the client.")]
    public static partial void CallCancelled(ILogger logger, string method);

    [LoggerMessage(3, LogLevel.Warning, "Ignored malformed grpc-timeout '{Value}' on {Method}.")]
    public static partial void InvalidTimeout(ILogger logger, string value, string method);

    [LoggerMessage(4, LogLevel.Warning, "Ignored malformed metadata header '{Name}' on {Method}.")]
    public static partial void BadMetadata(ILogger logger, string name, string method);
}
