namespace SpasmPlatform.ServiceDefaults.Security;

public enum SecurityMode
{
    /// <summary>TLS with client certificates; identities and roles from the certificates. The default.</summary>
    MutualTls,

    /// <summary>Cleartext h2c on loopback only, every caller trusted: for a developer's machine and the test suite.</summary>
    Development,
}
