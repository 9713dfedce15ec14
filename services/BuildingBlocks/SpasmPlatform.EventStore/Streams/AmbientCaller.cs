namespace SpasmPlatform.EventStore.Streams;

/// <summary>
/// The calling system of the current unit of work (set once per gRPC call by the authorization layer), stamped on
/// every event appended during it that does not name a caller itself. Ambient rather than a parameter so that no
/// append path of any service can forget it.
/// </summary>
public static class AmbientCaller
{
    private static readonly AsyncLocal<string?> Current = new();

    public static string? Value => Current.Value;

    /// <summary>Sets the caller for the rest of the current async flow (the gRPC call); restored when the flow ends.</summary>
    public static void Set(string? caller) => Current.Value = caller;

    public static EventMetadata Stamp(EventMetadata metadata) =>
        metadata.Caller is null && Current.Value is { } caller ? metadata with { Caller = caller } : metadata;
}
