using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace SpasmPlatform.Console.EndToEnd;

/// <summary>
/// Replicas of the console behind one address: a person signed in on one is signed in on every replica that shares
/// its key ring, and on no console with a ring of its own. The keys on disk are sealed with the ring's RSA certificate.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class KeyRingTests(ConsolePlatform platform)
{
    [Fact]
    public async Task A_session_opened_on_one_replica_is_valid_on_another_sharing_its_key_ring_and_nowhere_else()
    {
        var root = Directory.CreateTempSubdirectory("spasm-keyring-");
        var shared = Path.Combine(root.FullName, "shared");
        var own = Path.Combine(root.FullName, "own");
        // The certificate every replica holds to seal and open the ring's keys.
        var sealing = Path.Combine(root.FullName, "keyring.pem");
        var sealingKey = Path.Combine(root.FullName, "keyring-key.pem");
        using (var rsa = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=spasm-console-keyring", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            await File.WriteAllTextAsync(sealing, created.ExportCertificatePem());
            await File.WriteAllTextAsync(sealingKey, rsa.ExportPkcs8PrivateKeyPem());
        }

        var consoles = new List<Process>();
        try
        {
            async Task<Uri> LaunchAsync(string ring)
            {
                var (process, address) = await platform.LaunchConsoleAsync(new Dictionary<string, string?>
                {
                    ["Console__KeyRing"] = ring,
                    ["Console__KeyRingCertificate"] = sealing,
                    ["Console__KeyRingCertificateKey"] = sealingKey,
                });
                consoles.Add(process);
                return address;
            }

            var first = await LaunchAsync(shared);
            var second = await LaunchAsync(shared);
            var separate = await LaunchAsync(own);

            var cookies = new CookieContainer();
            using var handler = new HttpClientHandler
            {
                CookieContainer = cookies,
                AllowAutoRedirect = false,
                ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Issuer == platform.Pki.Ca.Subject,
            };
            using var http = new HttpClient(handler);

            // Signed in on the first replica, through its form and its antiforgery token.
            var signInPage = await http.GetStringAsync(new Uri(first, "signin"));
            var token = AntiforgeryToken().Match(signInPage);
            Assert.True(token.Success, "the sign-in form carries no antiforgery token");
            var signedIn = await http.PostAsync(new Uri(first, "account/demo-signin"), new FormUrlEncodedContent(
            [
                new("person", "pia.physio"), new("returnUrl", "/queue"), new("__RequestVerificationToken", WebUtility.HtmlDecode(token.Groups[1].Value)),
            ]));
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            Assert.Equal("/queue", signedIn.Headers.Location!.OriginalString);

            // The same cookie: the console names it per host, so every console here receives it.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(first, "queue"))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(second, "queue"))).StatusCode);
            var elsewhere = await http.GetAsync(new Uri(separate, "queue"));
            Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);
            Assert.StartsWith("/signin", elsewhere.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

            // The shared ring holds keys, and none of them in clear.
            var keys = Directory.GetFiles(shared, "key-*.xml");
            Assert.NotEmpty(keys);
            foreach (var file in keys)
            {
                var xml = await File.ReadAllTextAsync(file);
                Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
                Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
            }
        }
        finally
        {
            foreach (var console in consoles)
            {
                console.Kill(entireProcessTree: true);
                await console.WaitForExitAsync();
                console.Dispose();
            }

            root.Delete(recursive: true);
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
