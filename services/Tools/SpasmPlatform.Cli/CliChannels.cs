using SpasmPlatform.Grpc.Client;

namespace SpasmPlatform.Cli;

/// <summary>
/// Channels to the services. https addresses use mutual TLS with the PEM files named by SPASM_CLIENT_CERT,
/// SPASM_CLIENT_KEY (the identity: its role and clinic are in the certificate) and SPASM_CA_CERT (the platform's CA);
/// `./spasm` sets them to the development certificates it created.
/// </summary>
internal static class CliChannels
{
    public const string CertificateVariable = "SPASM_CLIENT_CERT";
    public const string KeyVariable = "SPASM_CLIENT_KEY";
    public const string CaVariable = "SPASM_CA_CERT";

    public static GrpcChannel Open(Uri address, GrpcChannelOptions? options = null)
    {
        if (address.Scheme != Uri.UriSchemeHttps)
        {
            return GrpcChannel.ForAddress(address, options);
        }

        var ca = Environment.GetEnvironmentVariable(CaVariable);
        if (string.IsNullOrEmpty(ca))
        {
            throw new InvalidOperationException($"{address} uses TLS: set {CaVariable} to the platform's CA certificate (PEM), and {CertificateVariable}/{KeyVariable} to your client certificate and key.");
        }

        options ??= new GrpcChannelOptions();
        options.HttpHandler = MutualTlsHandler.FromPemFiles(Environment.GetEnvironmentVariable(CertificateVariable), Environment.GetEnvironmentVariable(KeyVariable), ca);
        options.DisposeHttpHandler = true;
        return GrpcChannel.ForAddress(address, options);
    }
}
