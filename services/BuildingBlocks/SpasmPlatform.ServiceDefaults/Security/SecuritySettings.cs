using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// The Security section, read and checked once at start-up. In mutual-TLS mode the service presents
/// <see cref="Certificate"/> to its callers, trusts client certificates issued by <see cref="TrustedCa"/>, and presents
/// <see cref="ClientCertificate"/> (by default its own certificate) when it calls another service.
/// </summary>
public sealed class SecuritySettings
{
    private SecuritySettings(SecurityMode mode, X509Certificate2? certificate, X509Certificate2? clientCertificate, X509Certificate2Collection trustedCa, int? healthPort = null)
    {
        HealthPort = healthPort;
        Mode = mode;
        Certificate = certificate;
        ClientCertificate = clientCertificate;
        TrustedCa = trustedCa;
    }

    public SecurityMode Mode { get; }

    /// <summary>Grpc:HealthPort: a cleartext port for probes, on which nothing but health checks is answered.</summary>
    public int? HealthPort { get; }

    public X509Certificate2? Certificate { get; }

    public X509Certificate2? ClientCertificate { get; }

    public X509Certificate2Collection TrustedCa { get; }

    /// <summary>Reads the section; every problem is added to <paramref name="problems"/> and null returned if there were any.</summary>
    public static SecuritySettings? From(IConfiguration configuration, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        var section = configuration.GetSection("Security");
        var modeText = section["Mode"];
        if (!Enum.TryParse<SecurityMode>(string.IsNullOrEmpty(modeText) ? nameof(SecurityMode.MutualTls) : modeText, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            problems.Add($"Security:Mode is '{modeText}'; it must be MutualTls (the default) or Development (environment variable Security__Mode).");
            return null;
        }

        if (mode == SecurityMode.Development)
        {
            var bind = configuration["Grpc:BindAddress"] ?? "127.0.0.1";
            if (!IPAddress.TryParse(bind, out var address) || !IPAddress.IsLoopback(address))
            {
                problems.Add($"Security:Mode is Development, which trusts every caller without TLS, but Grpc:BindAddress is '{bind}': development mode only listens on a loopback address. Use MutualTls with certificates.");
                return null;
            }

            return new SecuritySettings(mode, null, null, [], HealthPortOf(configuration));
        }

        var before = problems.Count;
        var certificate = LoadPair(section, "Certificate", "CertificateKey", problems);
        var clientCertificate = section["ClientCertificate"] is { Length: > 0 }
            ? LoadPair(section, "ClientCertificate", "ClientCertificateKey", problems)
            : certificate;
        var trusted = LoadCa(section, problems);
        return problems.Count > before ? null : new SecuritySettings(mode, certificate, clientCertificate, trusted!, HealthPortOf(configuration));
    }

    private static int? HealthPortOf(IConfiguration configuration) =>
        int.TryParse(configuration["Grpc:HealthPort"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : null;

    private static X509Certificate2? LoadPair(IConfigurationSection section, string certificateKey, string privateKeyKey, ICollection<string> problems)
    {
        var certificatePath = section[certificateKey];
        var keyPath = section[privateKeyKey];
        if (string.IsNullOrEmpty(certificatePath) || string.IsNullOrEmpty(keyPath))
        {
            problems.Add($"Security:{certificateKey} and Security:{privateKeyKey} must name PEM files (environment variables Security__{certificateKey}, Security__{privateKeyKey}) in MutualTls mode; Security:Mode=Development runs without TLS on loopback only.");
            return null;
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // Re-imported as PKCS#12 so that SslStream can use the key on every platform (PEM keys are ephemeral).
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            if (certificate.NotAfter < DateTime.Now)
            {
                problems.Add($"Security:{certificateKey} ({certificatePath}) expired on {certificate.NotAfter:u}.");
            }

            return certificate;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The message names the file and what is wrong with it, never key material.
            problems.Add($"Security:{certificateKey} / Security:{privateKeyKey} ({certificatePath}, {keyPath}) cannot be loaded: {e.Message}");
            return null;
        }
    }

    private static X509Certificate2Collection? LoadCa(IConfigurationSection section, ICollection<string> problems)
    {
        var path = section["TrustedCa"];
        if (string.IsNullOrEmpty(path))
        {
            problems.Add("Security:TrustedCa must name a PEM file with the CA certificate(s) that issue client and service certificates (environment variable Security__TrustedCa).");
            return null;
        }

        try
        {
            var collection = new X509Certificate2Collection();
            collection.ImportFromPemFile(path);
            if (collection.Count == 0)
            {
                problems.Add($"Security:TrustedCa ({path}) holds no certificate.");
                return null;
            }

            return collection;
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"Security:TrustedCa ({path}) cannot be loaded: {e.Message}");
            return null;
        }
    }
}
