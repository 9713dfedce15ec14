using Google.Rpc;
using Grpc.Core;

namespace SpasmPlatform.IntegrationTests.Infrastructure;

internal static class RichStatusExtensions
{
    /// <summary>The delay a google.rpc.RetryInfo detail asks for, or null when the status carries none.</summary>
    public static TimeSpan? GetRetryDelay(this RpcException exception) =>
        exception.GetRpcStatus()?.GetDetail<RetryInfo>()?.RetryDelay?.ToTimeSpan();
}
