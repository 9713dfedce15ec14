namespace SpasmPlatform.EventStore.Streams;

/// <summary>The stream was not at the expected version; the gRPC edge answers ABORTED so the client re-reads and retries.</summary>
public sealed class ConcurrencyException(string streamId, ExpectedVersion expected, string message)
    : Exception(message)
{
    public string StreamId { get; } = streamId;

    public ExpectedVersion Expected { get; } = expected;
}
