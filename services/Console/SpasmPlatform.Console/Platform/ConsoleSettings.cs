using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SpasmPlatform.Console.Platform;

/// <summary>How people sign in: the clinic's identity provider, or the local page with the demo people.</summary>
public enum SignInMode
{
    OpenIdConnect,
    Development,
}

/// <summary>
/// The Console section, read and checked once at start-up so that a bad setting stops the console with every
/// problem named, instead of a page failing later.
/// </summary>
public sealed class ConsoleSettings
{
    public required SignInMode SignIn { get; init; }

    public required IPAddress BindAddress { get; init; }

    public required int Port { get; init; }

    public required X509Certificate2 HttpsCertificate { get; init; }

    public required Uri Assessment { get; init; }

    public required Uri Knowledge { get; init; }

    public required Uri CarePlan { get; init; }

    /// <summary>Console:ClientCertificate (role "console") and the CA the services' certificates come from; for https services.</summary>
    public string? ClientCertificate { get; init; }

    public string? ClientCertificateKey { get; init; }

    public string? TrustedCa { get; init; }

    public required TimeSpan SessionLifetime { get; init; }

    public OidcSettings? Oidc { get; init; }

    /// <summary>
    /// A directory every replica of the console shares for ASP.NET Core's data-protection keys (sessions and forms are
    /// sealed with them); null: this machine's default place, which only one instance can rely on.
    /// </summary>
    public string? KeyRing { get; init; }

    /// <summary>An RSA certificate every replica holds, sealing the key ring's keys at rest; null: they are stored in clear.</summary>
    public X509Certificate2? KeyRingCertificate { get; init; }

    public static ConsoleSettings? From(IConfiguration configuration, ICollection<string> problems)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(problems);
        var section = configuration.GetSection("Console");
        var before = problems.Count;

        var modeText = section["SignIn"];
        if (!Enum.TryParse<SignInMode>(string.IsNullOrEmpty(modeText) ? nameof(SignInMode.OpenIdConnect) : modeText, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            problems.Add($"Console:SignIn is '{modeText}'; it must be OpenIdConnect (the default) or Development (environment variable Console__SignIn).");
        }

        var bindText = section["BindAddress"] ?? "127.0.0.1";
        if (!IPAddress.TryParse(bindText, out var bind))
        {
            problems.Add($"Console:BindAddress '{bindText}' is not an IP address.");
        }
        else if (mode == SignInMode.Development && !IPAddress.IsLoopback(bind))
        {
            problems.Add($"Console:SignIn is Development, which lets anyone sign in as a demo person, but Console:BindAddress is '{bindText}': development sign-in only listens on a loopback address. Use OpenIdConnect.");
        }

        var portText = section["Port"] ?? "5104";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            problems.Add($"Console:Port '{portText}' is not a port number.");
        }

        var https = LoadCertificate(section["HttpsCertificate"], section["HttpsCertificateKey"], "Console:HttpsCertificate", problems);
        var assessment = Address(section, "Assessment", problems);
        var knowledge = Address(section, "Knowledge", problems);
        var carePlan = Address(section, "CarePlan", problems);
        if (new[] { assessment, knowledge, carePlan }.Any(a => a?.Scheme == Uri.UriSchemeHttps))
        {
            foreach (var key in new[] { "ClientCertificate", "ClientCertificateKey", "TrustedCa" })
            {
                if (string.IsNullOrEmpty(section[key]) || !File.Exists(section[key]))
                {
                    problems.Add($"Console:{key} must name a PEM file (environment variable Console__{key}): the services are called over mutual TLS with the console's certificate.");
                }
            }
        }

        var minutesText = section["SessionMinutes"] ?? "30";
        if (!int.TryParse(minutesText, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) || minutes is < 1 or > 24 * 60)
        {
            problems.Add($"Console:SessionMinutes '{minutesText}' must be a whole number of minutes between 1 and 1440.");
        }

        var keyRing = section["KeyRing"];
        if (!string.IsNullOrEmpty(keyRing))
        {
            if (!Path.IsPathFullyQualified(keyRing))
            {
                problems.Add($"Console:KeyRing '{keyRing}' must be an absolute directory path (environment variable Console__KeyRing).");
            }
            else
            {
                try
                {
                    Directory.CreateDirectory(keyRing);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    problems.Add($"Console:KeyRing '{keyRing}' cannot be used as the key ring directory: {e.Message}");
                }
            }
        }

        X509Certificate2? keyRingCertificate = null;
        if (!string.IsNullOrEmpty(section["KeyRingCertificate"]))
        {
            if (string.IsNullOrEmpty(keyRing))
            {
                problems.Add("Console:KeyRingCertificate seals the keys of a shared key ring, but Console:KeyRing names none.");
            }

            keyRingCertificate = LoadCertificate(section["KeyRingCertificate"], section["KeyRingCertificateKey"], "Console:KeyRingCertificate", problems);
            if (keyRingCertificate is not null && keyRingCertificate.GetRSAPrivateKey() is null)
            {
                // ASP.NET Core seals keys with XML encryption, which knows RSA keys only; an EC certificate fails at the first key.
                problems.Add("Console:KeyRingCertificate must be an RSA certificate with its private key: the key ring is sealed with XML encryption, which supports RSA only.");
                keyRingCertificate = null;
            }
        }

        var oidc = mode == SignInMode.OpenIdConnect ? OidcSettings.From(section.GetSection("Oidc"), problems) : null;
        return problems.Count > before ? null : new ConsoleSettings
        {
            SignIn = mode,
            BindAddress = bind!,
            Port = port,
            HttpsCertificate = https!,
            Assessment = assessment!,
            Knowledge = knowledge!,
            CarePlan = carePlan!,
            ClientCertificate = section["ClientCertificate"],
            ClientCertificateKey = section["ClientCertificateKey"],
            TrustedCa = section["TrustedCa"],
            SessionLifetime = TimeSpan.FromMinutes(minutes),
            Oidc = oidc,
            KeyRing = string.IsNullOrEmpty(keyRing) ? null : keyRing,
            KeyRingCertificate = keyRingCertificate,
        };
    }

    private static Uri? Address(IConfigurationSection section, string service, ICollection<string> problems)
    {
        var text = section[$"Services:{service}"];
        if (Uri.TryCreate(text, UriKind.Absolute, out var address) && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps))
        {
            return address;
        }

        problems.Add($"Console:Services:{service} is '{text}'; it must be the service's http(s) address (environment variable Console__Services__{service}).");
        return null;
    }

    private static X509Certificate2? LoadCertificate(string? certificatePath, string? keyPath, string name, ICollection<string> problems)
    {
        if (string.IsNullOrEmpty(certificatePath) || string.IsNullOrEmpty(keyPath))
        {
            problems.Add($"{name} and {name}Key must name PEM files{(name == "Console:HttpsCertificate" ? ": the console serves HTTPS only" : "")}.");
            return null;
        }

        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // As PKCS#12, so that SslStream can use the key (PEM keys are ephemeral).
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            problems.Add($"{name} ({certificatePath}, {keyPath}) cannot be loaded: {e.Message}");
            return null;
        }
    }
}

/// <summary>
/// The clinic's identity provider, and which of its claims carry the person's id, name, role and clinic. Role values
/// the provider uses are mapped to the console's roles by Console:Oidc:Roles:&lt;value&gt;; unmapped values are taken as
/// they are, and a person whose role is none of the console's cannot sign in.
/// </summary>
public sealed record OidcSettings(string Authority, string ClientId, string? ClientSecret, string IdClaim, string NameClaim, string RoleClaim, string ClinicClaim, IReadOnlyDictionary<string, string> RoleValues)
{
    public static OidcSettings? From(IConfigurationSection section, ICollection<string> problems)
    {
        var authority = section["Authority"];
        var clientId = section["ClientId"];
        if (!Uri.TryCreate(authority, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add($"Console:Oidc:Authority is '{authority}'; it must be the identity provider's https address (or set Console:SignIn=Development on loopback).");
            return null;
        }

        if (string.IsNullOrEmpty(clientId))
        {
            problems.Add("Console:Oidc:ClientId must be set: the console's client id at the identity provider.");
            return null;
        }

        var roles = section.GetSection("Roles").GetChildren().ToDictionary(c => c.Key, c => c.Value ?? string.Empty, StringComparer.Ordinal);
        return new OidcSettings(authority!, clientId, section["ClientSecret"], section["IdClaim"] ?? "sub", section["NameClaim"] ?? "name",
            section["RoleClaim"] ?? "roles", section["ClinicClaim"] ?? "clinic", roles);
    }
}
