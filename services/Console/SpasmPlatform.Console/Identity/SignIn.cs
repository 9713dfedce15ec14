using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Mvc;
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
                options.SaveTokens = false;
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = true;
                options.Events.OnTokenValidated = context =>
                {
                    // The provider's claims become the console's person, or the sign-in fails with the reason.
                    var person = FromProvider(context.Principal!, oidc, out var problem);
                    if (person is null)
                    {
                        context.Fail(problem);
                        return Task.CompletedTask;
                    }

                    context.Principal = person.ToPrincipal(OpenIdConnectDefaults.AuthenticationScheme, DateTimeOffset.UtcNow + settings.SessionLifetime);
                    return Task.CompletedTask;
                };
            });
        }
    }

    /// <summary>The person the identity provider's claims describe, by the configured claim names.</summary>
    public static Person? FromProvider(ClaimsPrincipal principal, OidcSettings oidc, out string problem)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(oidc);
        problem = string.Empty;
        var id = principal.FindFirstValue(oidc.IdClaim);
        if (string.IsNullOrEmpty(id))
        {
            problem = $"the identity provider sent no '{oidc.IdClaim}' claim";
            return null;
        }

        var role = principal.FindAll(oidc.RoleClaim)
            .Select(c => oidc.RoleValues.TryGetValue(c.Value, out var mapped) ? mapped : c.Value)
            .FirstOrDefault(ConsoleRoles.All.Contains);
        if (role is null)
        {
            problem = $"'{id}' has no role of the console in the '{oidc.RoleClaim}' claim";
            return null;
        }

        var clinic = principal.FindFirstValue(oidc.ClinicClaim);
        if (ConsoleRoles.ClinicBound.Contains(role) && string.IsNullOrEmpty(clinic))
        {
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

        app.MapPost("/account/signout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect($"{Path}?signedOut=1");
        });
    }

    private static string SafeReturn(string? returnUrl) =>
        returnUrl is { Length: > 1 } url && url[0] == '/' && url[1] != '/' && url[1] != '\\' ? url : "/";
}
