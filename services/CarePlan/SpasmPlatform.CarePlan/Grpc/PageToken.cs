using System.Globalization;
using System.Text;

namespace SpasmPlatform.CarePlan.Grpc;

/// <summary>An opaque page token: the position to continue before, so clients cannot come to depend on its shape.</summary>
internal static class PageToken
{
    private const string Prefix = "cp1:";

    public static string Encode(long before) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + before.ToString(CultureInfo.InvariantCulture)));

    public static bool TryDecode(string token, out long? before)
    {
        before = null;
        if (token.Length == 0)
        {
            return true;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith(Prefix, StringComparison.Ordinal) && long.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                before = value;
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }
}
