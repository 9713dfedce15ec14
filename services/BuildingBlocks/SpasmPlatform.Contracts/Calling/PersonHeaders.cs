namespace SpasmPlatform.Contracts.Calling;

/// <summary>
/// The request headers in which the web console names the signed-in person it calls for. The services believe them
/// only on a call presenting the console's certificate (role "console"); from anyone else they are refused, so that a
/// clinic system cannot dress itself up as a person of another clinic or role.
/// </summary>
public static class PersonHeaders
{
    /// <summary>The person's id at the clinic's identity provider ("pia.physio").</summary>
    public const string Name = "spasm-person";

    /// <summary>One role of the platform's role matrix ("physiotherapist").</summary>
    public const string Role = "spasm-person-role";

    /// <summary>The person's clinic; required for clinic-bound roles, absent for platform-wide ones (auditor).</summary>
    public const string Clinic = "spasm-person-clinic";
}
