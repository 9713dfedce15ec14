namespace SpasmPlatform.Grpc.Client;

/// <summary>One finished attempt of a call, as the retry pipeline sees it.</summary>
internal interface IRetryableAttempt : IDisposable
{
    string MethodFullName { get; }

    /// <summary>True when the attempt failed in a way that a new attempt may fix and the server never committed to it.</summary>
    bool CanRetry { get; }
}
