namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>The roles a client certificate can carry (its subject's OU); anything else is refused.</summary>
public static class Roles
{
    /// <summary>A clinic's system: submits, reads and overrides its own clinic's assessments.</summary>
    public const string ClinicSystem = "clinic-system";

    /// <summary>A physiotherapy tool: reads and reviews its own clinic's care plans.</summary>
    public const string Physiotherapist = "physiotherapist";

    /// <summary>Read-only audit across clinics.</summary>
    public const string Auditor = "auditor";

    /// <summary>One of the platform's own services calling another.</summary>
    public const string Service = "service";

    /// <summary>A clinic's data controller: answers erasure requests for its own clinic's patients.</summary>
    public const string DataController = "data-controller";

    /// <summary>Publishes knowledge versions.</summary>
    public const string KnowledgeEditor = "knowledge-editor";

    /// <summary>
    /// The web console: may call nothing as itself, only for a signed-in person it names in
    /// <see cref="SpasmPlatform.Contracts.Calling.PersonHeaders"/>, who is then authorised as if calling directly.
    /// </summary>
    public const string Console = "console";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        ClinicSystem, Physiotherapist, Auditor, Service, DataController, KnowledgeEditor, Console,
    };

    /// <summary>The roles a person signed in to the console may hold: the systems' roles are never a person's.</summary>
    public static readonly IReadOnlySet<string> People = new HashSet<string>(StringComparer.Ordinal)
    {
        ClinicSystem, Physiotherapist, Auditor, DataController, KnowledgeEditor,
    };

    /// <summary>Roles that act for one clinic: their certificate must name it (subject O), and they see only its data.</summary>
    public static readonly IReadOnlySet<string> ClinicBound = new HashSet<string>(StringComparer.Ordinal)
    {
        ClinicSystem, Physiotherapist, DataController,
    };
}
