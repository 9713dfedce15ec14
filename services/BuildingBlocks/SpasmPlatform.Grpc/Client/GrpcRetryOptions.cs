namespace SpasmPlatform.Grpc.Client;

/// <summary>
/// Retries of idempotent unary calls that end UNAVAILABLE before the server committed to a response.
/// Backoff is exponential with jitter and never runs past the call's deadline.
/// </summary>
public sealed record GrpcRetryOptions
{
    /// <summary>Retries after the first attempt; 0 turns retries off.</summary>
    public int MaxRetryAttempts { get; init; } = 3;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);
}
