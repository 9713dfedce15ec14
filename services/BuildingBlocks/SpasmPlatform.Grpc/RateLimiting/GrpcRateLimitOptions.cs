namespace SpasmPlatform.Grpc.RateLimiting;

/// <summary>A token bucket per caller: <see cref="Burst"/> calls at once, refilled by <see cref="PermitsPerSecond"/> each second.</summary>
public sealed class GrpcRateLimitOptions
{
    public int PermitsPerSecond { get; set; } = 100;

    public int Burst { get; set; } = 200;
}
