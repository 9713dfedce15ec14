using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.Contracts.Calling;

namespace SpasmPlatform.Cli;

/// <summary>
/// Channels to the services. https addresses use mutual TLS with the PEM files named by SPASM_CLIENT_CERT,
/// SPASM_CLIENT_KEY (the identity: its role and clinic are in the certificate) and SPASM_CA_CERT (the platform's CA),
/// from the environment or else .spasm/env (<see cref="CliEnvironment"/>);
/// `./spasm` sets them to the development certificates it created.
/// </summary>
internal static class CliChannels
{
    public const string CertificateVariable = "SPASM_CLIENT_CERT";
    public const string KeyVariable = "SPASM_CLIENT_KEY";
    public const string CaVariable = "SPASM_CA_CERT";

    /// <summary>A channel with the platform's retry policy (unless <paramref name="retries"/> is false).</summary>
    public static GrpcChannel Open(Uri address, bool retries = true)
    {
        if (address.Scheme != Uri.UriSchemeHttps)
        {
            return PlatformChannels.Create(address, retries: retries);
        }

        var ca = CliEnvironment.Get(CaVariable);
        if (string.IsNullOrEmpty(ca))
        {
            throw new InvalidOperationException($"{address} uses TLS: set {CaVariable} to the platform's CA certificate (PEM), and {CertificateVariable}/{KeyVariable} to your client certificate and key.");
        }

        var handler = MutualTlsHandler.FromPemFiles(CliEnvironment.Get(CertificateVariable), CliEnvironment.Get(KeyVariable), ca);
        return PlatformChannels.Create(address, handler, retries);
    }

    /// <summary>Calls over <paramref name="channel"/>, each with a deadline (the platform's default unless it names one).</summary>
    public static CallInvoker Calls(GrpcChannel channel) => channel.WithDefaultDeadline();
}
