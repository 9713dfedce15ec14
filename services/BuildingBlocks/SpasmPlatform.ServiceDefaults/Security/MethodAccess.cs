namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>Who may call one RPC, and whether each call is an access to patient data that the access log records.</summary>
public sealed record MethodAccess(IReadOnlySet<string> Roles, bool ReadsPatientData = false, bool Anonymous = false);
