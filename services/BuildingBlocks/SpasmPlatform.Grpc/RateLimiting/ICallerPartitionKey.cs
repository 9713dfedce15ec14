using Microsoft.AspNetCore.Http;

namespace SpasmPlatform.Grpc.RateLimiting;

/// <summary>
/// Whom a call counts against. Each distinct key has its own token bucket, so one noisy caller cannot use up another's
/// permits. Register another implementation (before AddGrpcRateLimiting, or replacing it) to partition by an
/// authenticated identity instead of the connection.
/// </summary>
public interface ICallerPartitionKey
{
    string For(HttpContext context);
}
