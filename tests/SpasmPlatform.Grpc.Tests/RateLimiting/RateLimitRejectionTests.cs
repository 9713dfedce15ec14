using System.Threading.RateLimiting;
using Google.Rpc;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using SpasmPlatform.Grpc.Protocol;
using SpasmPlatform.Grpc.RateLimiting;

namespace SpasmPlatform.Grpc.Tests.RateLimiting;

/// <summary>The answer to a refused call, as written into the response before anything is sent.</summary>
public sealed class RateLimitRejectionTests
{
    [Fact]
    public async Task A_refused_call_is_a_trailers_only_RESOURCE_EXHAUSTED_with_the_limiters_retry_delay_and_refill_latency()
    {
        using var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = 1,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromSeconds(3),
            QueueLimit = 0,
            AutoReplenishment = false,
        });
        using var granted = limiter.AttemptAcquire();
        using var refused = limiter.AttemptAcquire();
        Assert.True(granted.IsAcquired);
        Assert.False(refused.IsAcquired);
        var context = new DefaultHttpContext();
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable; // what the middleware sets before OnRejected

        await RateLimitRejection.WriteAsync(new OnRejectedContext { HttpContext = context, Lease = refused }, CancellationToken.None);

        var response = context.Response;
        Assert.Equal(StatusCodes.Status200OK, response.StatusCode);
        Assert.Equal("application/grpc", response.ContentType);
        Assert.Equal("8", response.Headers["grpc-status"].ToString());
        Assert.Equal(
            "Rate limit exceeded: too many calls from this caller; retry after 3.2 s.",
            PercentEncoding.Decode(response.Headers["grpc-message"].ToString()));
        var status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(response.Headers["grpc-status-details-bin"].ToString()));
        Assert.Equal((int)StatusCode.ResourceExhausted, status.Code);
        Assert.Equal(TimeSpan.FromSeconds(3) + RateLimitRejection.RefillLatency, status.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan());
        Assert.Equal(0, response.Body.Length);
    }

    [Fact]
    public async Task A_lease_without_retry_metadata_gets_the_default_delay()
    {
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 });
        using var granted = limiter.AttemptAcquire();
        using var refused = limiter.AttemptAcquire();
        Assert.False(refused.TryGetMetadata(MetadataName.RetryAfter, out _));
        var context = new DefaultHttpContext();

        await RateLimitRejection.WriteAsync(new OnRejectedContext { HttpContext = context, Lease = refused }, CancellationToken.None);

        var status = Google.Rpc.Status.Parser.ParseFrom(Convert.FromBase64String(context.Response.Headers["grpc-status-details-bin"].ToString()));
        Assert.Equal(RateLimitRejection.DefaultRetryDelay + RateLimitRejection.RefillLatency, status.GetDetail<RetryInfo>()!.RetryDelay.ToTimeSpan());
    }
}
