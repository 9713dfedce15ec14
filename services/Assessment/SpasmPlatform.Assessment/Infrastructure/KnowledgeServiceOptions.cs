namespace SpasmPlatform.Assessment.Infrastructure;

/// <summary>Configuration section "Knowledge": where the knowledge service answers.</summary>
public sealed class KnowledgeServiceOptions
{
    public string Address { get; set; } = "http://127.0.0.1:5102";

    /// <summary>Deadline of each call to the knowledge service.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often the current version is asked for again. Announcements switch versions at once; this only catches
    /// one missed while the broker connection was down.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(5);
}
