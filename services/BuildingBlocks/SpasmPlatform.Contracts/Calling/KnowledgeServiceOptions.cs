namespace SpasmPlatform.Contracts.Calling;

/// <summary>Configuration section "Knowledge" of the knowledge service's callers: where it answers.</summary>
public sealed class KnowledgeServiceOptions
{
    public const string Section = "Knowledge";

    public string Address { get; set; } = "http://127.0.0.1:5102";

    /// <summary>Deadline of each call to the knowledge service.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The assessment service: how often the current version is asked for again. Announcements switch versions at once; this only catches
    /// one missed while the broker connection was down.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}
