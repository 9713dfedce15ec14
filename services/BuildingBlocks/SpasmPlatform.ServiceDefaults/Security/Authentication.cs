namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>A caller's certificate checked: the identity, or why there is none (said to the caller and logged).</summary>
public sealed record Authentication(CallerIdentity? Identity, string? Failure)
{
    public static Authentication Success(CallerIdentity identity) => new(identity, null);

    public static Authentication Failed(string reason) => new(null, reason);
}
