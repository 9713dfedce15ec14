namespace SpasmPlatform.Grpc.Health;

public sealed class GrpcHealthOptions
{
    /// <summary>How long a health report answers Check calls before the checks run again.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a Watch call re-reads the status to notice changes.</summary>
    public TimeSpan WatchPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
