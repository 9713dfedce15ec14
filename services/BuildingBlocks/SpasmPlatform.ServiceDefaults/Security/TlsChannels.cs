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

    public static SocketsHttpHandler CreateHandler(X509Certificate2? clientCertificate, X509Certificate2Collection trustedCa) =>
        MutualTlsHandler.Create(clientCertificate, trustedCa);
}
