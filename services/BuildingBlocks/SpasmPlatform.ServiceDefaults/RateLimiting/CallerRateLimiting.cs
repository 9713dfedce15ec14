using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Threading.RateLimiting;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.ServiceDefaults.Grpc;

namespace SpasmPlatform.ServiceDefaults.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter with one token bucket per caller over every gRPC call except health. What is ours is
/// only the answer: a refused call gets RESOURCE_EXHAUSTED with a google.rpc.RetryInfo, trailers-only, because the
/// limiter's own HTTP 429 reaches gRPC clients as UNAVAILABLE, which they retry at once.
/// </summary>
public static class CallerRateLimiting
{
    /// <summary>What the caller is told when the limiter gives no RetryAfter (a replenishment period of ours).</summary>
    public static readonly TimeSpan DefaultRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Added to the limiter's RetryAfter: a partitioned limiter refills its buckets on a 100 ms heartbeat, later under
    /// load, so a caller who waits exactly RetryAfter would often be refused again.
    /// </summary>
    public static readonly TimeSpan RefillLatency = TimeSpan.FromMilliseconds(200);

    public static IServiceCollection AddCallerRateLimiting(this IServiceCollection services, int permitsPerSecond, int burst)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(permitsPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = permitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            // Queued calls would hold their streams while the caller's deadline runs down; refusing at once with a
            // retry delay lets the caller decide.
            QueueLimit = 0,
        };
        return services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsHealth(context) ? RateLimitPartition.GetNoLimiter("health") : RateLimitPartition.GetTokenBucketLimiter(CallerKey(context), _ => bucket));
            limiter.OnRejected = RejectAsync;
        });
    }

    /// <summary>Probes must keep working while a caller is throttled: a throttled probe takes a healthy instance out of service.</summary>
    private static bool IsHealth(HttpContext context) => context.Request.Path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal);

    /// <summary>
    /// The caller as the connection shows it: the client certificate (SHA-256 thumbprint) when TLS presented one,
    /// otherwise the remote address; IPv6 per /64, the block one host normally gets, so a client cannot rotate
    /// through its own addresses for fresh permits.
    /// </summary>
    public static string CallerKey(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = context.Connection;
        if (connection.ClientCertificate is { } certificate)
        {
            return "cert:" + certificate.GetCertHashString(HashAlgorithmName.SHA256);
        }

        return connection.RemoteIpAddress is { } address ? "ip:" + AddressBlock(address) : "unknown";
    }

    private static string AddressBlock(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var retryDelay = (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : DefaultRetryDelay) + RefillLatency;
        var error = RichErrors.ResourceExhausted(
            string.Create(CultureInfo.InvariantCulture, $"Rate limit exceeded: too many calls from this caller; retry after {retryDelay.TotalSeconds:0.###} s."),
            retryDelay);
        var response = context.HttpContext.Response;
        // Trailers-only: the status in the one HEADERS frame, as grpc-dotnet itself answers calls it refuses early.
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        response.Headers["grpc-status"] = ((int)error.StatusCode).ToString(CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(error.Status.Detail);
        var details = error.Trailers.GetValueBytes("grpc-status-details-bin");
        if (details is not null)
        {
            response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(details);
        }

        return ValueTask.CompletedTask;
    }

    public static IApplicationBuilder UseCallerRateLimiting(this IApplicationBuilder app) => app.UseRateLimiter();
}
