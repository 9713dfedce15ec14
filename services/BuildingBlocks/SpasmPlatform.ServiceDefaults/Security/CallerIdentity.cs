namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// Who is calling, as their client certificate says: <paramref name="Name"/> from the subject's CN, roles from its
/// OUs, the clinic from its O. <paramref name="ClinicId"/> is null for platform-wide callers (auditors, services).
/// </summary>
public sealed record CallerIdentity(string Name, IReadOnlySet<string> Roles, string? ClinicId, string Thumbprint)
{
    public const string DevelopmentName = "development";

    /// <summary>Loopback development mode: no certificates, so every caller is trusted with every role and clinic.</summary>
    public static CallerIdentity Development { get; } = new(DevelopmentName, Security.Roles.All, null, string.Empty);

    public bool IsDevelopment => ReferenceEquals(this, Development);

    /// <summary>For a person signed in to the console: the console's own description, recorded next to the person's.</summary>
    public string? Via { get; init; }

    public bool HasAnyRole(IReadOnlySet<string> roles) => Roles.Overlaps(roles);

    /// <summary>Whether this caller may see or change data of <paramref name="clinicId"/>: its own clinic, or any if platform-wide.</summary>
    public bool CanAccessClinic(string clinicId) => ClinicId is null || string.Equals(ClinicId, clinicId, StringComparison.Ordinal);

    /// <summary>
    /// "clinic-system:clinic-a/ehr-1": what events and access records name as the calling system; for a person through
    /// the console, both: "physiotherapist:clinic-a/pia via console:web-console".
    /// </summary>
    public string Describe()
    {
        var who = $"{string.Join('+', Roles.Order(StringComparer.Ordinal))}:{(ClinicId is null ? string.Empty : ClinicId + "/")}{Name}";
        return Via is null ? who : $"{who} via {Via}";
    }
}
