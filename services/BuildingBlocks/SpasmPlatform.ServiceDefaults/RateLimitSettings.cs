using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace SpasmPlatform.ServiceDefaults;

/// <summary>RateLimiting:Enabled, :PermitsPerSecond and :Burst: a token bucket per caller over every RPC but health.</summary>
public sealed record RateLimitSettings(bool Enabled, int PermitsPerSecond, int Burst)
{
    public const int DefaultPermitsPerSecond = 100;
    public const int DefaultBurst = 200;

    /// <summary>Reads the settings; throws <see cref="ConfigurationValidationException"/> listing every value that cannot work.</summary>
    public static RateLimitSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<string>();
        var enabled = true;
        if (configuration["RateLimiting:Enabled"] is { Length: > 0 } flag && !bool.TryParse(flag, out enabled))
        {
            problems.Add($"RateLimiting:Enabled is '{flag}'; it must be true or false (environment variable RateLimiting__Enabled).");
        }

        var permits = PositiveWholeNumber(configuration, "PermitsPerSecond", DefaultPermitsPerSecond, problems);
        var burst = PositiveWholeNumber(configuration, "Burst", DefaultBurst, problems);
        return problems.Count > 0 ? throw new ConfigurationValidationException(problems) : new RateLimitSettings(enabled, permits, burst);
    }

    private static int PositiveWholeNumber(IConfiguration configuration, string name, int fallback, List<string> problems)
    {
        if (configuration[$"RateLimiting:{name}"] is not { Length: > 0 } text)
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1)
        {
            return value;
        }

        problems.Add($"RateLimiting:{name} is '{text}'; it must be a whole number, at least 1 (environment variable RateLimiting__{name}; default {fallback}).");
        return fallback;
    }
}
