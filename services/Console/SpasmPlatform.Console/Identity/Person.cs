using System.Security.Claims;

namespace SpasmPlatform.Console.Identity;

/// <summary>
/// The signed-in person as the console knows them: an id (what events record as the actor), a name to greet them
/// with, one of the console's roles, and the clinic for clinic-bound roles.
/// </summary>
public sealed record Person(string Id, string DisplayName, string Role, string? Clinic)
{
    public const string ClinicClaim = "spasm:clinic";
    public const string ExpiresClaim = "spasm:expires";

    /// <summary>The service role the person is authorised with: a clinician reads and overrides as the clinic's system does.</summary>
    public string ServiceRole => Role == ConsoleRoles.Clinician ? "clinic-system" : Role;

    public static Person? From(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true
            || user.FindFirstValue(ClaimTypes.NameIdentifier) is not { Length: > 0 } id
            || user.FindFirstValue(ClaimTypes.Role) is not { } role
            || !ConsoleRoles.All.Contains(role))
        {
            return null;
        }

        var clinic = user.FindFirstValue(ClinicClaim);
        if (ConsoleRoles.ClinicBound.Contains(role) && string.IsNullOrEmpty(clinic))
        {
            return null;
        }

        return new Person(id, user.FindFirstValue(ClaimTypes.Name) ?? id, role, ConsoleRoles.ClinicBound.Contains(role) ? clinic : null);
    }

    public ClaimsPrincipal ToPrincipal(string authenticationType, DateTimeOffset expires)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, Id),
            new(ClaimTypes.Name, DisplayName),
            new(ClaimTypes.Role, Role),
            new(ExpiresClaim, expires.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        };
        if (Clinic is not null)
        {
            claims.Add(new Claim(ClinicClaim, Clinic));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }
}

/// <summary>The people the console serves, by what they do; each maps to one role of the services' matrix.</summary>
public static class ConsoleRoles
{
    public const string Physiotherapist = "physiotherapist";
    public const string Clinician = "clinician";
    public const string DataController = "data-controller";
    public const string Auditor = "auditor";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Physiotherapist, Clinician, DataController, Auditor };

    public static readonly IReadOnlySet<string> ClinicBound = new HashSet<string>(StringComparer.Ordinal) { Physiotherapist, Clinician, DataController };

    public static string Describe(string role) => role switch
    {
        Physiotherapist => "Physiotherapist",
        Clinician => "Clinician",
        DataController => "Data controller",
        Auditor => "Auditor",
        _ => role,
    };
}
