using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using SpasmPlatform.Console.Platform;

namespace SpasmPlatform.Console.Identity;

/// <summary>
/// A session is a cookie that ends <see cref="ConsoleSettings.SessionLifetime"/> after sign-in, whatever the person
/// does; the person comes from the clinic's identity provider (OpenID Connect) or, on loopback in development, from
/// the list of demo people.
/// </summary>
public static class SignIn
{
    public const string Path = "/signin";

    public static void Configure(IServiceCollection services, ConsoleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var authentication = services.AddAuthentication(options =>
        {
            options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.DefaultChallengeScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        });
        authentication.AddCookie(options =>
        {
            options.Cookie.Name = "spasm-console";
            options.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.HttpOnly = true;
            options.ExpireTimeSpan = settings.SessionLifetime;
            options.SlidingExpiration = false;
            options.LoginPath = Path;
            options.AccessDeniedPath = "/not-allowed";
        });

        if (settings.Oidc is { } oidc)
        {
            authentication.AddOpenIdConnect(options =>
            {
                options.Authority = oidc.Authority;
                options.ClientId = oidc.ClientId;
                options.ClientSecret = oidc.ClientSecret;
                options.ResponseType = "code";
                options.UsePkce = true;
                // Only the id token is kept (OnTokenValidated), not SaveTokens' set: signing out at the provider needs it
                // as id_token_hint, and nothing else. The access token would be a bearer credential riding in every
                // cookie for no use: the console calls the services with its own certificate, never as the person.
                options.SaveTokens = false;
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = true;
                // The handler keeps a userinfo claim only if an action maps it, and providers often send role and clinic
                // there alone (not in the id token): without these the person would arrive with no role.
                options.ClaimActions.MapUniqueJsonKey(oidc.IdClaim, oidc.IdClaim);
                options.ClaimActions.MapUniqueJsonKey(oidc.NameClaim, oidc.NameClaim);
                options.ClaimActions.MapJsonKey(oidc.RoleClaim, oidc.RoleClaim);
                options.ClaimActions.MapUniqueJsonKey(oidc.ClinicClaim, oidc.ClinicClaim);
                options.Events.OnTokenValidated = context =>
                {
                    var idToken = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage.IdToken;
                    if (!string.IsNullOrEmpty(idToken))
                    {
                        context.Properties!.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
                    }

                    return Task.CompletedTask;
                };
                // Here, not in OnTokenValidated: that runs before the userinfo claims are added.
                options.Events.OnTicketReceived = context =>
                {
                    var person = FromProvider(context.Principal!, oidc, out var refusal, out var problem);
                    if (person is null)
                    {
                        // Failing the ticket would surface as an exception; the person is told on the sign-in page
                        // instead, by a fixed code (the reason, with claim names, goes to the log, not the address bar).
                        Logger(context.HttpContext).LogWarning("Sign-in refused: {Problem}", problem);
                        context.Response.Redirect($"{Path}?problem={Code(refusal)}");
                        context.HandleResponse();
                        return Task.CompletedTask;
                    }

                    context.Principal = person.ToPrincipal(OpenIdConnectDefaults.AuthenticationScheme, DateTimeOffset.UtcNow + settings.SessionLifetime);
                    return Task.CompletedTask;
                };
                options.Events.OnRemoteFailure = context =>
                {
                    // A provider error, a lost correlation cookie, a bad token: the person can only try again.
                    Logger(context.HttpContext).LogWarning(context.Failure, "Sign-in with the identity provider failed");
                    context.Response.Redirect($"{Path}?problem=provider");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        }
    }

    /// <summary>Why the provider's claims describe no person of the console.</summary>
    public enum Refusal
    {
        None,
        NoId,
        NoRole,
        NoClinic,
    }

    /// <summary>The person the identity provider's claims describe, by the configured claim names.</summary>
    public static Person? FromProvider(ClaimsPrincipal principal, OidcSettings oidc, out string problem) =>
        FromProvider(principal, oidc, out _, out problem);

    /// <summary>The person the identity provider's claims describe, or why there is none.</summary>
    public static Person? FromProvider(ClaimsPrincipal principal, OidcSettings oidc, out Refusal refusal, out string problem)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(oidc);
        problem = string.Empty;
        refusal = Refusal.None;
        var id = principal.FindFirstValue(oidc.IdClaim);
        if (string.IsNullOrEmpty(id))
        {
            refusal = Refusal.NoId;
            problem = $"the identity provider sent no '{oidc.IdClaim}' claim";
            return null;
        }

        var role = principal.FindAll(oidc.RoleClaim)
            .Select(c => oidc.RoleValues.TryGetValue(c.Value, out var mapped) ? mapped : c.Value)
            .FirstOrDefault(ConsoleRoles.All.Contains);
        if (role is null)
        {
            refusal = Refusal.NoRole;
            problem = $"'{id}' has no role of the console in the '{oidc.RoleClaim}' claim";
            return null;
        }

        var clinic = principal.FindFirstValue(oidc.ClinicClaim);
        if (ConsoleRoles.ClinicBound.Contains(role) && string.IsNullOrEmpty(clinic))
        {
            refusal = Refusal.NoClinic;
            problem = $"'{id}' is a {role} but the '{oidc.ClinicClaim}' claim names no clinic";
            return null;
        }

        return new Person(id, principal.FindFirstValue(oidc.NameClaim) ?? id, role, ConsoleRoles.ClinicBound.Contains(role) ? clinic : null);
    }

    public static void MapEndpoints(WebApplication app, ConsoleSettings settings)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.SignIn == SignInMode.Development)
        {
            // A form post: the antiforgery middleware checks its token before this runs.
            app.MapPost("/account/demo-signin", async (HttpContext context, [FromForm] string person, [FromForm] string? returnUrl) =>
            {
                if (DemoPeople.Find(person) is not { } chosen)
                {
                    return Results.Redirect($"{Path}?problem=unknown");
                }

                await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, chosen.ToPrincipal("demo", DateTimeOffset.UtcNow + settings.SessionLifetime));
                return Results.LocalRedirect(SafeReturn(returnUrl));
            });
        }
        else
        {
            app.MapGet("/account/login", (string? returnUrl) =>
                Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturn(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme]));
        }

        app.MapPost("/account/signout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            // Checked here: with no form parameter the endpoint carries no antiforgery metadata for the middleware. And
            // sign-out ends the provider's session too, which no other site should be able to do by posting here.
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Results.BadRequest();
            }

            var signedOut = $"{Path}?signedOut=1";
            if (settings.SignIn == SignInMode.OpenIdConnect)
            {
                try
                {
                    // RP-initiated logout: ends the session at the provider too, or the next sign-in would pass silently
                    // as the same person. Before the cookie goes, since the id token hint is read from it. The provider
                    // sends the browser back to the handler's signed-out callback, which redirects to RedirectUri.
                    await context.SignOutAsync(OpenIdConnectDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = signedOut });
                    await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                    return Results.Empty;
                }
                catch (InvalidOperationException e)
                {
                    // No discovery document or no end_session_endpoint: the console's session must end all the same.
                    Logger(context).LogWarning(e, "Signed out of the console only: the identity provider offers no sign-out");
                }
            }

            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(signedOut);
        });
    }

    private static string Code(Refusal refusal) => refusal switch
    {
        Refusal.NoId => "no-id",
        Refusal.NoRole => "no-role",
        Refusal.NoClinic => "no-clinic",
        _ => "provider",
    };

    private static ILogger Logger(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SignIn).FullName!);

    private static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url[0] == '/' && url[1] != '/' && url[1] != '\\' ? url : "/";
}
