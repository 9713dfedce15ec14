using Microsoft.Extensions.Logging;
using SpasmPlatform.Grpc.Protocol;

namespace SpasmPlatform.Grpc.Client;

internal static partial class ClientLog
{
    [LoggerMessage(1, LogLevel.Debug, "Starting gRPC call {Method}.")]
    public static partial void StartingCall(ILogger logger, string method);

    [LoggerMessage(2, LogLevel.Debug, "gRPC call {Method} finished with {StatusCode}: {Detail}")]
    public static partial void CallFinished(ILogger logger, string method, StatusCode statusCode, string detail);

    [LoggerMessage(3, LogLevel.Information, "Retrying gRPC call {Method} (retry {Retry}) after {Delay}.")]
    public static partial void RetryingCall(ILogger logger, string method, int retry, TimeSpan delay);

    [LoggerMessage(4, LogLevel.Debug, "gRPC call {Method} exceeded its deadline.")]
    public static partial void DeadlineExceeded(ILogger logger, string method);
}
