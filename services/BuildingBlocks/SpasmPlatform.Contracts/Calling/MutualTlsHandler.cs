using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace SpasmPlatform.Contracts.Calling;

/// <summary>
/// The HTTP handler of a channel that talks mutual TLS to the platform: it presents a client certificate and trusts
/// only servers whose certificate chains to the platform's CA(s) and names the host called. Written here because
/// the platform uses a private CA, not the system store, and every caller (services, CLI, tests) must agree on it.
/// </summary>
public static class MutualTlsHandler
{
    public static SocketsHttpHandler Create(X509Certificate2? clientCertificate, X509Certificate2Collection trustedCa)
    {
        ArgumentNullException.ThrowIfNull(trustedCa);
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        policy.CustomTrustStore.AddRange(trustedCa);
        var handler = PlatformChannels.CreateHandler();
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            CertificateChainPolicy = policy,
        };
        return handler;
    }

    /// <summary>Loads PEM files: the client certificate with its key (both or neither) and the CA bundle.</summary>
    public static SocketsHttpHandler FromPemFiles(string? certificatePath, string? keyPath, string caPath)
    {
        var trusted = new X509Certificate2Collection();
        trusted.ImportFromPemFile(caPath);
        X509Certificate2? client = null;
        if (!string.IsNullOrEmpty(certificatePath))
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, string.IsNullOrEmpty(keyPath) ? null : keyPath);
            // PKCS#12 round trip: SslStream needs a key it can use for the handshake on every platform.
            client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        return Create(client, trusted);
    }
}
