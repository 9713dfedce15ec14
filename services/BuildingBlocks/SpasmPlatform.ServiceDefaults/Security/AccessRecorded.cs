namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// One access to patient data, or one refused attempt at anything (what FHIR calls an AuditEvent): who (the calling
/// system and its roles and clinic), what (the RPC and the records it named or returned), when, from where, and how
/// it ended. Never the data itself.
/// </summary>
public sealed record AccessRecorded(
    DateTimeOffset At,
    string Caller,
    IReadOnlyList<string> Roles,
    string? CallerClinicId,
    string Method,
    string Outcome,
    string? Reason,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Records,
    string Peer,
    string? TraceId)
{
    /// <summary>
    /// Frozen: named before the convention (it would be "access_log.recorded"); the name is hashed into every record's
    /// chain, so it stays. See docs/event-store.md.
    /// </summary>
    public const string EventType = "AccessRecorded";
}
