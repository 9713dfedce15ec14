using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using System.Web;
using Microsoft.Playwright;

namespace SpasmPlatform.Console.EndToEnd;

/// <summary>
/// Production sign-in against an identity provider of the test's own (<see cref="TestIdentityProvider"/>): the whole
/// authorization-code flow with PKCE, driven request by request so that every redirect and cookie is the console's
/// doing; the person comes from the configured claims (userinfo, a non-default role claim, a mapped role value), a
/// person the claims give no place in the console is turned away in words, and signing out ends the provider's session.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed partial class OpenIdConnectTests(ConsolePlatform platform)
{
    private const string ClientId = "spasm-console";
    private const string ClientSecret = "test-secret";

    private static readonly TestIdentityProvider.Account Pia = new("idp-7731", "Pia Okafor", new Dictionary<string, object>
    {
        // The provider's own group names: only the configured mapping makes "Physio-Staff" a physiotherapist.
        ["groups"] = new[] { "Staff", "Physio-Staff" },
        ["org"] = ConsolePlatform.Clinic,
    });

    [Fact]
    public async Task A_person_signs_in_through_the_identity_provider_as_the_configured_claims_say_and_signs_out_there_too()
    {
        await using var provider = await StartProviderAsync();
        var (console, address) = await LaunchConsoleAsync(provider);
        using (console)
        {
            try
            {
                var cookies = new CookieContainer();
                using var http = Client(cookies, address);

                var queue = await http.GetAsync(new Uri("/queue", UriKind.Relative));
                Assert.Equal(HttpStatusCode.Redirect, queue.StatusCode);
                Assert.StartsWith("/signin", queue.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
                var page = await http.GetStringAsync(new Uri("/signin?returnUrl=%2Fqueue", UriKind.Relative));
                Assert.DoesNotContain("type=\"radio\"", page, StringComparison.Ordinal);
                Assert.Contains("/account/login?returnUrl=%2Fqueue", page, StringComparison.Ordinal);
                // The demo people do not exist here: their sign-in endpoint is not even mapped.
                var demo = await http.PostAsync(new Uri("/account/demo-signin", UriKind.Relative), new FormUrlEncodedContent([new("person", "pia.physio")]));
                Assert.NotEqual(HttpStatusCode.Redirect, demo.StatusCode);
                Assert.False(demo.IsSuccessStatusCode);

                provider.Next = Pia;
                var callback = await SignInAsync(http, provider, address);
                Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
                Assert.Equal("/queue", callback.Headers.Location!.OriginalString);
                Assert.Empty(provider.Problems);
                Assert.Contains(cookies.GetCookies(address), c => c.Name == "spasm-console");
                // The queue is for physiotherapists alone: answering it at all shows the mapped role.
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/queue", UriKind.Relative))).StatusCode);
                // Sign-out is a form post with an antiforgery token; without one it changes nothing.
                var forged = await http.PostAsync(new Uri("/account/signout", UriKind.Relative), new FormUrlEncodedContent([]));
                Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
                Assert.Empty(provider.EndSessions);

                // The console's pages render in the browser (not prerendered): the session goes there to be seen.
                await using var browser = await platform.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = address.ToString(), IgnoreHTTPSErrors = true });
                browser.SetDefaultTimeout(90_000);
                browser.SetDefaultNavigationTimeout(90_000);
                await browser.AddCookiesAsync(cookies.GetCookies(address).Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Url = address.ToString(), Secure = c.Secure, HttpOnly = c.HttpOnly }));
                var tab = await browser.NewPageAsync();
                await tab.GotoAsync("/queue");
                await tab.GetByRole(AriaRole.Heading, new() { Name = "Review queue" }).WaitForAsync();
                await tab.Locator(".who", new() { HasText = $"Pia Okafor, Physiotherapist at {ConsolePlatform.Clinic}" }).WaitForAsync();
                await platform.ScreenshotAsync(tab, "oidc-queue");

                await tab.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
                await tab.GetByRole(AriaRole.Status).Filter(new() { HasText = "You are signed out." }).WaitForAsync();
                Assert.Contains("/signin?signedOut=1", tab.Url, StringComparison.Ordinal);
                Assert.Empty(provider.Problems);
                var ending = Assert.Single(provider.EndSessions);
                Assert.Equal(provider.IdTokens.Last(t => t.Sub == Pia.Sub).IdToken, ending.IdTokenHint);
                Assert.Equal($"{address.ToString().TrimEnd('/')}/signout-callback-oidc", ending.PostLogoutRedirectUri);
                Assert.DoesNotContain(await browser.CookiesAsync(new[] { address.ToString() }), c => c.Name.StartsWith("spasm-console", StringComparison.Ordinal));
                await tab.GotoAsync("/queue");
                await tab.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal));
            }
            finally
            {
                await StopAsync(console);
            }
        }
    }

    [Fact]
    public async Task A_person_the_claims_give_no_console_role_or_no_clinic_is_told_so_and_not_signed_in()
    {
        await using var provider = await StartProviderAsync();
        var (console, address) = await LaunchConsoleAsync(provider);
        using (console)
        {
            try
            {
                var refused = new (TestIdentityProvider.Account Who, string Problem, string Says)[]
                {
                    (new("idp-1", "Sam Reception", new Dictionary<string, object> { ["groups"] = new[] { "Staff", "Front-Desk" }, ["org"] = ConsolePlatform.Clinic }),
                        "no-role", "your clinic account gives you no role in the console"),
                    (new("idp-2", "Pat Physio", new Dictionary<string, object> { ["groups"] = new[] { "Physio-Staff" } }),
                        "no-clinic", "does not name the clinic"),
                };
                foreach (var (who, problem, says) in refused)
                {
                    var cookies = new CookieContainer();
                    using var http = Client(cookies, address);
                    provider.Next = who;
                    var callback = await SignInAsync(http, provider, address);

                    Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
                    Assert.Equal($"/signin?problem={problem}", callback.Headers.Location!.OriginalString);
                    var page = await http.GetAsync(callback.Headers.Location);
                    Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                    var html = await page.Content.ReadAsStringAsync();
                    Assert.Contains(says, html, StringComparison.Ordinal);
                    Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
                    Assert.DoesNotContain(cookies.GetCookies(address), c => c.Name.StartsWith("spasm-console", StringComparison.Ordinal));
                    var queue = await http.GetAsync(new Uri("/queue", UriKind.Relative));
                    Assert.Equal(HttpStatusCode.Redirect, queue.StatusCode);
                    Assert.StartsWith("/signin", queue.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
                }

                // The provider saw nothing wrong: the console refused people it had been told about correctly.
                Assert.Empty(provider.Problems);
            }
            finally
            {
                await StopAsync(console);
            }
        }
    }

    /// <summary>
    /// From the console's login to its callback, as a browser would go (cookies kept, redirects followed one by one):
    /// checks the authorization request, lets the provider answer with its self-posting form, posts it, and returns
    /// the console's answer to that post.
    /// </summary>
    private static async Task<HttpResponseMessage> SignInAsync(HttpClient http, TestIdentityProvider provider, Uri console)
    {
        var login = await http.GetAsync(new Uri("/account/login?returnUrl=%2Fqueue", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var authorize = login.Headers.Location!;
        Assert.Equal($"{provider.Issuer}/authorize", authorize.GetLeftPart(UriPartial.Path));
        var query = HttpUtility.ParseQueryString(authorize.Query);
        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(query["code_challenge"]));
        Assert.Equal($"{console.ToString().TrimEnd('/')}/signin-oidc", query["redirect_uri"]);
        // The correlation and nonce cookies the callback will need.
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Correlation.", StringComparison.Ordinal));
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.OpenIdConnect.Nonce.", StringComparison.Ordinal));

        var answer = await http.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var form = await answer.Content.ReadAsStringAsync();
        var action = WebUtility.HtmlDecode(FormAction().Match(form).Groups[1].Value);
        Assert.Equal(query["redirect_uri"], action);
        var fields = HiddenField().Matches(form).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        Assert.Equal(new[] { "code", "state" }, fields.Keys.Order());
        return await http.PostAsync(new Uri(action), new FormUrlEncodedContent(fields));
    }

    private async Task<TestIdentityProvider> StartProviderAsync()
    {
        var (certificate, key, _) = platform.Pki.Issue("CN=localhost", server: true);
        return await TestIdentityProvider.StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificate, key), ClientId, ClientSecret);
    }

    private async Task<(Process Console, Uri Address)> LaunchConsoleAsync(TestIdentityProvider provider)
    {
        var (console, address) = await platform.LaunchConsoleAsync(new Dictionary<string, string?>
        {
            ["Console__SignIn"] = "OpenIdConnect",
            ["Console__Oidc__Authority"] = provider.Issuer,
            ["Console__Oidc__ClientId"] = ClientId,
            ["Console__Oidc__ClientSecret"] = ClientSecret,
            // Not the defaults (roles, clinic): the person can only come out right if these are read.
            ["Console__Oidc__RoleClaim"] = "groups",
            ["Console__Oidc__ClinicClaim"] = "org",
            ["Console__Oidc__Roles__Physio-Staff"] = "physiotherapist",
            // The provider's certificate comes from the test CA: the console trusts it as it would a clinic's CA.
            ["SSL_CERT_FILE"] = platform.Pki.CaPath,
        });
        provider.RedirectUri = $"{address.ToString().TrimEnd('/')}/signin-oidc";
        provider.PostLogoutRedirectUri = $"{address.ToString().TrimEnd('/')}/signout-callback-oidc";
        return (console, address);
    }

    private HttpClient Client(CookieContainer cookies, Uri console) =>
        new(new HttpClientHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies,
            ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Issuer == platform.Pki.Ca.Subject,
        }, disposeHandler: true) { BaseAddress = console };

    private static async Task StopAsync(Process console)
    {
        console.Kill(entireProcessTree: true);
        await console.WaitForExitAsync();
    }

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]*)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();
}
