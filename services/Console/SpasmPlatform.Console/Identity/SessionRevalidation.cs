using System.Globalization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace SpasmPlatform.Console.Identity;

/// <summary>
/// A page left open keeps its circuit, and the circuit its sign-in: this checks every few seconds whether the
/// session has ended, and signs the page out when it has, so an expired session cannot keep acting.
/// </summary>
public sealed class SessionRevalidation(ILoggerFactory loggers, TimeProvider clock) : RevalidatingServerAuthenticationStateProvider(loggers)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(15);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        return Task.FromResult(IsCurrent(authenticationState.User, clock.GetUtcNow()));
    }

    /// <summary>Whether the session of <paramref name="user"/> still runs at <paramref name="now"/>; no expiry: it does not.</summary>
    public static bool IsCurrent(System.Security.Claims.ClaimsPrincipal user, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(user);
        var expires = user.FindFirst(Person.ExpiresClaim)?.Value;
        return long.TryParse(expires, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            && DateTimeOffset.FromUnixTimeSeconds(seconds) > now;
    }
}
