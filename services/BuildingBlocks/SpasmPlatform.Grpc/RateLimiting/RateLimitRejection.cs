using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.Server;

namespace SpasmPlatform.Grpc.RateLimiting;

/// <summary>
/// Answers a call the limiter refused as gRPC clients expect: RESOURCE_EXHAUSTED, trailers-only, with a
/// google.rpc.RetryInfo carrying the limiter's RetryAfter. An HTTP 429 would reach gRPC clients as UNAVAILABLE,
/// which they retry at once, the opposite of what a limit asks for.
/// </summary>
public static class RateLimitRejection
{
    /// <summary>What the caller is told when the limiter gives no RetryAfter (a replenishment period of ours).</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Added to the limiter's RetryAfter. A partitioned limiter refills its buckets on a 100 ms heartbeat, so a bucket
    /// refills up to that long after its period is over, later still when timers run late under load; a caller who
    /// waits exactly RetryAfter would otherwise often be refused again.
    /// </summary>
    public static readonly TimeSpan RefillLatency = TimeSpan.FromMilliseconds(200);

    public static ValueTask WriteAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var retryDelay = (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero
            ? after
            : DefaultRetryDelay) + RefillLatency;
        TrailersOnlyResponse.Write(context.HttpContext, Error(retryDelay));
        return ValueTask.CompletedTask;
    }

    public static RpcException Error(TimeSpan retryDelay) =>
        RichErrors.ResourceExhausted(
            string.Create(CultureInfo.InvariantCulture, $"Rate limit exceeded: too many calls from this caller; retry after {retryDelay.TotalSeconds:0.###} s."),
            retryDelay);
}
