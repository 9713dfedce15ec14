using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SpasmPlatform.Console.EndToEnd;

/// <summary>
/// A clinic's identity provider, as small as the console's side of the protocol allows: discovery, authorization
/// code with PKCE answered by form post, the token endpoint (client secret, code verifier), ES256 id tokens, JWKS,
/// userinfo and RP-initiated logout. It signs in whoever <see cref="Next"/> names, and refuses (without redirecting)
/// any request that does not match what the client registered, recording why in <see cref="Problems"/>.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    private const string KeyId = "test-es256";

    private readonly WebApplication _app;
    private readonly ECDsa _signingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ConcurrentDictionary<string, Grant> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Account> _accessTokens = new(StringComparer.Ordinal);

    private TestIdentityProvider(WebApplication app, string clientId, string clientSecret)
    {
        _app = app;
        ClientId = clientId;
        ClientSecret = clientSecret;
    }

    /// <summary>A person at the provider: the id token carries only <see cref="Sub"/>; name and the rest come from userinfo.</summary>
    public sealed record Account(string Sub, string Name, IReadOnlyDictionary<string, object> Claims);

    public sealed record EndSession(string? IdTokenHint, string? PostLogoutRedirectUri, string? State);

    private sealed record Grant(Account Account, string RedirectUri, string Nonce, string Challenge);

    public string ClientId { get; }

    public string ClientSecret { get; }

    /// <summary>The client's registered addresses: the only ones the provider sends a browser back to.</summary>
    public string? RedirectUri { get; set; }

    public string? PostLogoutRedirectUri { get; set; }

    /// <summary>Who signs in at the next authorization request (the provider's own login page, skipped).</summary>
    public Account? Next { get; set; }

    public string Issuer => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

    public ConcurrentQueue<string> Problems { get; } = new();

    /// <summary>Every id token issued, by subject, newest last.</summary>
    public ConcurrentQueue<(string Sub, string IdToken)> IdTokens { get; } = new();

    public ConcurrentQueue<EndSession> EndSessions { get; } = new();

    public static async Task<TestIdentityProvider> StartAsync(X509Certificate2 certificate, string clientId, string clientSecret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var provider = new TestIdentityProvider(builder.Build(), clientId, clientSecret);
        provider.Map();
        await provider._app.StartAsync();
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _signingKey.Dispose();
    }

    private void Map()
    {
        _app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = $"{Issuer}/authorize",
            ["token_endpoint"] = $"{Issuer}/token",
            ["jwks_uri"] = $"{Issuer}/jwks",
            ["userinfo_endpoint"] = $"{Issuer}/userinfo",
            ["end_session_endpoint"] = $"{Issuer}/endsession",
            ["response_types_supported"] = new[] { "code" },
            ["response_modes_supported"] = new[] { "query", "form_post" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "ES256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post" },
        }));

        _app.MapGet("/jwks", () =>
        {
            var key = _signingKey.ExportParameters(includePrivateParameters: false);
            return Results.Json(new
            {
                keys = new[]
                {
                    new { kty = "EC", crv = "P-256", x = Base64UrlEncoder.Encode(key.Q.X), y = Base64UrlEncoder.Encode(key.Q.Y), kid = KeyId, use = "sig", alg = "ES256" },
                },
            });
        });

        _app.MapGet("/authorize", (HttpRequest request) =>
        {
            var q = request.Query;
            if (q["client_id"] != ClientId || q["redirect_uri"] != RedirectUri || q["response_type"] != "code"
                || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]) || string.IsNullOrEmpty(q["nonce"])
                || !q["scope"].ToString().Split(' ').Contains("openid") || Next is not { } account)
            {
                return Refuse($"authorize: unexpected request {request.QueryString}");
            }

            var code = Random();
            _codes[code] = new Grant(account, RedirectUri!, q["nonce"]!, q["code_challenge"]!);
            if (q["response_mode"] != "form_post")
            {
                return Results.Redirect($"{RedirectUri}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(q["state"].ToString())}");
            }

            // What a browser gets: a form that posts itself to the client's callback.
            var html = HtmlEncoder.Default;
            return Results.Content(
                $"""
                <!DOCTYPE html><html><body onload="document.forms[0].submit()">
                <form method="post" action="{html.Encode(RedirectUri!)}">
                <input type="hidden" name="code" value="{html.Encode(code)}" />
                <input type="hidden" name="state" value="{html.Encode(q["state"].ToString())}" />
                </form></body></html>
                """, "text/html", Encoding.UTF8);
        });

        _app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            if (form["grant_type"] != "authorization_code" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
            {
                return Refuse("token: wrong grant type or client credentials", "invalid_client");
            }

            // A code is good once.
            if (!_codes.TryRemove(form["code"].ToString(), out var grant) || form["redirect_uri"] != grant.RedirectUri)
            {
                return Refuse("token: unknown code or other redirect_uri", "invalid_grant");
            }

            var verifier = form["code_verifier"].ToString();
            if (verifier.Length < 43 || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.Challenge)
            {
                return Refuse("token: the code verifier does not match the challenge", "invalid_grant");
            }

            var now = DateTime.UtcNow;
            var idToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = Issuer,
                Audience = ClientId,
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(5),
                Claims = new Dictionary<string, object> { ["sub"] = grant.Account.Sub, ["nonce"] = grant.Nonce },
                SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_signingKey) { KeyId = KeyId }, SecurityAlgorithms.EcdsaSha256),
            });
            var accessToken = Random();
            _accessTokens[accessToken] = grant.Account;
            IdTokens.Enqueue((grant.Account.Sub, idToken));
            return Results.Json(new { access_token = accessToken, token_type = "Bearer", expires_in = 300, id_token = idToken });
        });

        _app.MapGet("/userinfo", (HttpRequest request) =>
        {
            var authorization = request.Headers.Authorization.ToString();
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal) || !_accessTokens.TryGetValue(authorization["Bearer ".Length..], out var account))
            {
                Problems.Enqueue("userinfo: no valid access token");
                return Results.Unauthorized();
            }

            var claims = new Dictionary<string, object>(account.Claims) { ["sub"] = account.Sub, ["name"] = account.Name };
            return Results.Json(claims);
        });

        _app.MapGet("/endsession", (HttpRequest request) =>
        {
            var q = request.Query;
            var ending = new EndSession(q["id_token_hint"], q["post_logout_redirect_uri"], q["state"]);
            EndSessions.Enqueue(ending);
            if (ending.PostLogoutRedirectUri != PostLogoutRedirectUri || !IdTokens.Any(t => t.IdToken == ending.IdTokenHint))
            {
                return Refuse($"endsession: unexpected request {request.QueryString}");
            }

            return Results.Redirect($"{PostLogoutRedirectUri}?state={Uri.EscapeDataString(ending.State ?? string.Empty)}");
        });
    }

    private IResult Refuse(string problem, string error = "invalid_request")
    {
        Problems.Enqueue(problem);
        return Results.Json(new { error }, statusCode: StatusCodes.Status400BadRequest);
    }

    private static string Random() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
}
