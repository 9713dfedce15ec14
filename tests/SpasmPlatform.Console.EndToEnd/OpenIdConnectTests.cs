using System.Net;
using System.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.Console.EndToEnd;

/// <summary>
/// Production sign-in: the console sends people to the clinic's identity provider (authorization code with PKCE),
/// found through its discovery document, and offers no demo people. The provider here serves only discovery.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OpenIdConnectTests(ConsolePlatform platform)
{
    [Fact]
    public async Task The_console_sends_people_to_the_identity_provider_and_has_no_demo_sign_in()
    {
        var (certificate, key, _) = platform.Pki.Issue("CN=localhost", server: true);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.UseHttps(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, key))));
        await using var provider = builder.Build();
        string Issuer() => provider.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        provider.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer(),
            ["authorization_endpoint"] = $"{Issuer()}/authorize",
            ["token_endpoint"] = $"{Issuer()}/token",
            ["jwks_uri"] = $"{Issuer()}/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "ES256" },
        }));
        provider.MapGet("/jwks", () => Results.Json(new { keys = Array.Empty<object>() }));
        await provider.StartAsync();

        var (console, address) = await platform.LaunchConsoleAsync(new Dictionary<string, string?>
        {
            ["Console__SignIn"] = "OpenIdConnect",
            ["Console__Oidc__Authority"] = Issuer(),
            ["Console__Oidc__ClientId"] = "spasm-console",
            ["Console__Oidc__ClientSecret"] = "test-secret",
            // The provider's certificate comes from the test CA: the console trusts it as it would a clinic's CA.
            ["SSL_CERT_FILE"] = platform.Pki.CaPath,
        });
        using (console)
        {
            try
            {
                using var handler = new HttpClientHandler { AllowAutoRedirect = false, ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Issuer == platform.Pki.Ca.Subject };
                using var http = new HttpClient(handler) { BaseAddress = address };

                var queue = await http.GetAsync(new Uri("/queue", UriKind.Relative));
                Assert.Equal(HttpStatusCode.Redirect, queue.StatusCode);
                Assert.StartsWith("/signin", queue.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

                var page = await http.GetStringAsync(new Uri("/signin?returnUrl=%2Fqueue", UriKind.Relative));
                Assert.DoesNotContain("type=\"radio\"", page, StringComparison.Ordinal);
                Assert.Contains("/account/login?returnUrl=%2Fqueue", page, StringComparison.Ordinal);

                var login = await http.GetAsync(new Uri("/account/login?returnUrl=%2Fqueue", UriKind.Relative));
                Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
                var location = login.Headers.Location!;
                Assert.Equal($"{Issuer()}/authorize", location.GetLeftPart(UriPartial.Path));
                var query = HttpUtility.ParseQueryString(location.Query);
                Assert.Equal("spasm-console", query["client_id"]);
                Assert.Equal("code", query["response_type"]);
                Assert.Equal("S256", query["code_challenge_method"]);
                Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
                Assert.StartsWith(address.ToString().TrimEnd('/'), query["redirect_uri"], StringComparison.Ordinal);

                // The demo people do not exist here: their sign-in endpoint is not even mapped.
                var demo = await http.PostAsync(new Uri("/account/demo-signin", UriKind.Relative), new FormUrlEncodedContent([new("person", "pia.physio")]));
                Assert.NotEqual(HttpStatusCode.Redirect, demo.StatusCode);
                Assert.False(demo.IsSuccessStatusCode);
            }
            finally
            {
                console.Kill(entireProcessTree: true);
                await console.WaitForExitAsync();
            }
        }
    }
}
