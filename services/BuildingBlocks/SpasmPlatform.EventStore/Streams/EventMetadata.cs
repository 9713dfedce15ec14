namespace SpasmPlatform.EventStore.Streams;

/// <summary>
/// Who did what on whose behalf, and why: kept with every event for audit and tracing. <see cref="Actor"/> is the
/// person (clinician, physiotherapist); <see cref="Caller"/> the system that called on their behalf, as its
/// certificate named it.
/// </summary>
public sealed record EventMetadata(
    string? CorrelationId = null,
    string? CausationId = null,
    string? Actor = null,
    string? TenantId = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Caller = null);
