namespace SpasmPlatform.EventStore.Streams;

/// <summary>
/// A stream as Marten's FetchForWriting found it: its state folded from every event, and its version. An append to
/// the stream in the same session is checked by Marten, at save, against this version.
/// </summary>
/// <param name="State">Null when the stream does not exist (or its fold gives nothing).</param>
/// <param name="Version">0 when the stream does not exist.</param>
public sealed record FetchedStream<TState>(string StreamId, TState? State, long Version)
    where TState : class;
