using System.Security.Cryptography.X509Certificates;
using SpasmPlatform.Contracts.Calling;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// The HTTP handler of a channel from this service to another: over https it presents the service's own certificate
/// (role "service") and trusts only servers whose certificate the platform's CA issued for the host being called.
/// </summary>
public sealed class TlsChannels(SecuritySettings settings)
{
    public HttpMessageHandler CreateHandler(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Scheme == Uri.UriSchemeHttps && settings.Mode == SecurityMode.MutualTls
            ? MutualTlsHandler.Create(settings.ClientCertificate, settings.TrustedCa)
            : PlatformChannels.CreateHandler();
    }

    public static SocketsHttpHandler CreateHandler(X509Certificate2? clientCertificate, X509Certificate2Collection trustedCa) =>
        MutualTlsHandler.Create(clientCertificate, trustedCa);
}
