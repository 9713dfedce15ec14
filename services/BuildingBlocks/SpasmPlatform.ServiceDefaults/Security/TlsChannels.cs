using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using SpasmPlatform.Grpc.Client;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// Channels from this service to another: over https they present the service's own certificate (role "service")
/// and trust only servers whose certificate the platform's CA issued for the host being called.
/// </summary>
public sealed class TlsChannels(SecuritySettings settings)
{
    public GrpcChannel Create(string address, GrpcChannelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(address);
        var uri = new Uri(address, UriKind.Absolute);
        if (uri.Scheme != Uri.UriSchemeHttps || settings.Mode != SecurityMode.MutualTls)
        {
            return GrpcChannel.ForAddress(uri, options);
        }

        options ??= new GrpcChannelOptions();
        options.HttpHandler = CreateHandler(settings.ClientCertificate, settings.TrustedCa);
        options.DisposeHttpHandler = true;
        return GrpcChannel.ForAddress(uri, options);
    }

    /// <summary>A handler presenting <paramref name="clientCertificate"/> and trusting servers issued by <paramref name="trustedCa"/> only.</summary>
    public static SocketsHttpHandler CreateHandler(X509Certificate2? clientCertificate, X509Certificate2Collection trustedCa)
    {
        ArgumentNullException.ThrowIfNull(trustedCa);
        var handler = GrpcChannel.CreateHttpHandler();
        handler.SslOptions = new SslClientAuthenticationOptions
        {
            ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            CertificateChainPolicy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                CustomTrustStore = { },
                RevocationMode = X509RevocationMode.NoCheck,
            },
        };
        handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(trustedCa);
        return handler;
    }
}
