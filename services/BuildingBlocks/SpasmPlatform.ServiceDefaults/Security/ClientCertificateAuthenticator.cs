using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SpasmPlatform.ServiceDefaults.Security;

/// <summary>
/// Turns a client certificate into a caller: the chain must end at the configured CA and be valid now, the
/// certificate must allow client authentication, and its subject must carry a known role (OU), a name (CN) and, for
/// clinic-bound roles, the clinic (O). TLS accepts any certificate so that these checks answer with a gRPC
/// UNAUTHENTICATED and a reason, instead of a handshake failure a client can only report as "unavailable".
/// </summary>
public sealed class ClientCertificateAuthenticator(SecuritySettings settings, TimeProvider clock)
{
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";
    private const int CacheLimit = 10_000;

    // Chain building costs far more than a call; a certificate's verdict holds until it expires, so calls of one
    // client are checked once. Bounded, because certificates are chosen by callers.
    private readonly ConcurrentDictionary<string, (Authentication Result, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public Authentication Authenticate(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return Authentication.Failed("no client certificate was presented; this service requires mutual TLS");
        }

        var now = clock.GetUtcNow();
        var key = certificate.Thumbprint;
        if (_cache.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Result;
        }

        var result = Check(certificate, now);
        if (_cache.Count >= CacheLimit)
        {
            _cache.Clear();
        }

        // Failures are cached briefly only: a certificate not yet valid becomes valid, a CA may be fixed.
        var until = result.Identity is null ? now.AddSeconds(30) : new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        _cache[key] = (result, until);
        return result;
    }

    private Authentication Check(X509Certificate2 certificate, DateTimeOffset now)
    {
        var subject = certificate.Subject;
        if (now.UtcDateTime > certificate.NotAfter.ToUniversalTime())
        {
            return Authentication.Failed($"the client certificate '{subject}' expired on {certificate.NotAfter.ToUniversalTime():u}");
        }

        if (now.UtcDateTime < certificate.NotBefore.ToUniversalTime())
        {
            return Authentication.Failed($"the client certificate '{subject}' is not valid before {certificate.NotBefore.ToUniversalTime():u}");
        }

        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(settings.TrustedCa);
            // Revocation is the CA operator's concern (short-lived certificates); no CRL endpoint exists here.
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
            if (!chain.Build(certificate))
            {
                var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
                return Authentication.Failed($"the client certificate '{subject}' is not trusted: {(reasons.Length > 0 ? reasons : "its issuer is not the platform's CA")}");
            }
        }

        return FromSubject(certificate.SubjectName, certificate.Thumbprint);
    }

    /// <summary>CN = name, every OU = a role, O = clinic. Exposed for tests of the subject rules.</summary>
    public static Authentication FromSubject(X500DistinguishedName subject, string thumbprint)
    {
        ArgumentNullException.ThrowIfNull(subject);
        string? name = null;
        string? clinic = null;
        var roles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in subject.EnumerateRelativeDistinguishedNames())
        {
            var value = part.GetSingleElementValue();
            switch (part.GetSingleElementType().Value)
            {
                case "2.5.4.3":
                    name = value;
                    break;
                case "2.5.4.11" when value is not null:
                    roles.Add(value);
                    break;
                case "2.5.4.10":
                    clinic = value;
                    break;
            }
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return Authentication.Failed($"the client certificate '{subject.Name}' has no common name (CN) naming the calling system");
        }

        if (roles.Count == 0)
        {
            return Authentication.Failed($"the client certificate '{subject.Name}' carries no role (OU); one of {string.Join(", ", Roles.All.Order(StringComparer.Ordinal))} is needed");
        }

        if (roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown)
        {
            return Authentication.Failed($"the client certificate '{subject.Name}' carries an unknown role '{unknown}'");
        }

        var clinicBound = roles.Overlaps(Roles.ClinicBound);
        if (clinicBound && string.IsNullOrWhiteSpace(clinic))
        {
            return Authentication.Failed($"the client certificate '{subject.Name}' has a clinic role but names no clinic (O)");
        }

        // Platform-wide roles act across clinics whatever O says; a certificate mixing both kinds acts for its clinic only.
        return Authentication.Success(new CallerIdentity(name, roles, clinicBound ? clinic : null, thumbprint));
    }
}
