namespace SpasmPlatform.EventStore.Streams;

/// <summary>
/// Who did what on whose behalf, and why: kept with every event for audit and tracing. <see cref="Actor"/> is the
/// person (clinician, physiotherapist); <see cref="Caller"/> the system that called on their behalf, as its
/// certificate named it. In Marten's columns: correlation_id, causation_id, user_name (the actor) and headers (the
/// tenant, the caller, the trace and any other header).
/// </summary>
public sealed record EventMetadata(
    string? CorrelationId = null,
    string? CausationId = null,
    string? Actor = null,
    string? TenantId = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    string? Caller = null)
{
    public bool Equals(EventMetadata? other) =>
        other is not null
        && CorrelationId == other.CorrelationId
        && CausationId == other.CausationId
        && Actor == other.Actor
        && TenantId == other.TenantId
        && Caller == other.Caller
        && SameHeaders(Headers, other.Headers);

    public override int GetHashCode() => HashCode.Combine(CorrelationId, CausationId, Actor, TenantId, Caller, Headers?.Count ?? 0);

    private static bool SameHeaders(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b)
    {
        if (a is null || a.Count == 0)
        {
            return b is null || b.Count == 0;
        }

        return b is not null && a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }
}
