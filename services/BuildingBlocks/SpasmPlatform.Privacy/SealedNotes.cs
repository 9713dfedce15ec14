using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace SpasmPlatform.Privacy;

/// <summary>
/// Notes as stored: the generation of the patient key that sealed them and nonce ‖ ciphertext ‖ tag. Text form
/// <c>v1.&lt;generation&gt;.&lt;base64&gt;</c>, so events, rows and messages carry it as one string.
/// </summary>
public sealed record SealedNotes(int KeyGeneration, byte[] Bytes)
{
    private const string Prefix = "v1.";

    public string Format() => string.Create(CultureInfo.InvariantCulture, $"{Prefix}{KeyGeneration}.{Convert.ToBase64String(Bytes)}");

    public override string ToString() => Format();

    public static bool TryParse(string? text, [NotNullWhen(true)] out SealedNotes? notes)
    {
        notes = null;
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var dot = text.IndexOf('.', Prefix.Length);
        if (dot < 0 || !int.TryParse(text.AsSpan(Prefix.Length, dot - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var generation))
        {
            return false;
        }

        try
        {
            notes = new SealedNotes(generation, Convert.FromBase64String(text[(dot + 1)..]));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static SealedNotes Parse(string text) =>
        TryParse(text, out var notes) ? notes : throw new FormatException("Not a sealed-notes value (v1.<generation>.<base64>).");
}
