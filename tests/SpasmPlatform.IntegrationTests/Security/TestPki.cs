using SpasmPlatform.Contracts.Calling;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Grpc.Core;
using SpasmPlatform.ServiceDefaults.Security;

namespace SpasmPlatform.IntegrationTests.Security;

/// <summary>
/// A throw-away certificate authority for one test class: the services' certificate and a client certificate per
/// identity the tests need (good ones per role and clinic, and the kinds that must be refused), as PEM files.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly Dictionary<string, X509Certificate2> _clients = new(StringComparer.Ordinal);

    public TestPki(string caName = "SpasmPlatform Test CA")
    {
        Directory = Path.Combine(Path.GetTempPath(), $"spasm-pki-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        var request = new CertificateRequest($"CN={caName}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        CaPath = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CaPath, Ca.ExportCertificatePem());
    }

    public string Directory { get; }

    public X509Certificate2 Ca { get; }

    public string CaPath { get; }

    public X509Certificate2Collection Trusted => [Ca];

    /// <summary>Issues a certificate and writes it (and its key) as PEM; returns the paths and a usable certificate.</summary>
    public (string CertificatePath, string KeyPath, X509Certificate2 Certificate) Issue(
        string subject, bool server = false, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
        if (server)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(_caKey),
            notBefore ?? DateTimeOffset.UtcNow.AddHours(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        var name = $"c{Guid.NewGuid():N}"[..12];
        var certificatePath = Path.Combine(Directory, $"{name}.pem");
        var keyPath = Path.Combine(Directory, $"{name}-key.pem");
        File.WriteAllText(certificatePath, withKey.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null));
    }

    /// <summary>A client certificate for <paramref name="subject"/>, issued once per PKI.</summary>
    public X509Certificate2 Client(string subject)
    {
        lock (_clients)
        {
            if (!_clients.TryGetValue(subject, out var certificate))
            {
                _clients[subject] = certificate = Issue(subject).Certificate;
            }

            return certificate;
        }
    }

    /// <summary>A channel presenting <paramref name="client"/> (none: no certificate) and trusting this CA's servers.</summary>
    public GrpcChannel Channel(Uri address, X509Certificate2? client) =>
        PlatformChannels.Create(address, TlsChannels.CreateHandler(client, Trusted), retries: false);

    public void Dispose()
    {
        _caKey.Dispose();
        Ca.Dispose();
        foreach (var certificate in _clients.Values)
        {
            certificate.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
