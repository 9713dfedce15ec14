using System.Globalization;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// Semantic-version precedence (semver 2.0, no build metadata) for knowledge versions: the assessment service only
/// ever moves forward to a higher version, whatever order the announcements arrive in.
/// </summary>
public static class KnowledgeVersionOrder
{
    /// <summary>True when <paramref name="candidate"/> is a valid semantic version above <paramref name="current"/> (or there is no current one).</summary>
    public static bool IsHigher(string candidate, string? current)
    {
        if (!TryParse(candidate, out var next))
        {
            return false;
        }

        return current is null || !TryParse(current, out var now) || Compare(next, now) > 0;
    }

    private static int Compare((long Major, long Minor, long Patch, string[] Pre) a, (long Major, long Minor, long Patch, string[] Pre) b)
    {
        var core = (a.Major, a.Minor, a.Patch).CompareTo((b.Major, b.Minor, b.Patch));
        if (core != 0)
        {
            return core;
        }

        // A release ranks above any of its pre-releases.
        switch (a.Pre.Length == 0, b.Pre.Length == 0)
        {
            case (true, true):
                return 0;
            case (true, false):
                return 1;
            case (false, true):
                return -1;
        }

        for (var i = 0; i < Math.Min(a.Pre.Length, b.Pre.Length); i++)
        {
            var aNumeric = long.TryParse(a.Pre[i], NumberStyles.None, CultureInfo.InvariantCulture, out var x);
            var bNumeric = long.TryParse(b.Pre[i], NumberStyles.None, CultureInfo.InvariantCulture, out var y);
            var order = (aNumeric, bNumeric) switch
            {
                (true, true) => x.CompareTo(y),
                (true, false) => -1,
                (false, true) => 1,
                _ => string.CompareOrdinal(a.Pre[i], b.Pre[i]),
            };
            if (order != 0)
            {
                return order;
            }
        }

        return a.Pre.Length.CompareTo(b.Pre.Length);
    }

    private static bool TryParse(string text, out (long Major, long Minor, long Patch, string[] Pre) version)
    {
        version = default;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        var core = (dash < 0 ? text : text[..dash]).Split('.');
        var pre = dash < 0 ? [] : text[(dash + 1)..].Split('.');
        if (core.Length != 3 || pre.Any(p => p.Length == 0))
        {
            return false;
        }

        var numbers = new long[3];
        for (var i = 0; i < 3; i++)
        {
            if (!long.TryParse(core[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = (numbers[0], numbers[1], numbers[2], pre);
        return true;
    }
}
