using Microsoft.Extensions.Configuration;
using SpasmPlatform.Privacy;

namespace SpasmPlatform.ServiceDefaults.Privacy;

/// <summary>
/// Where the master key for clinical notes comes from: Security:NotesKey (base64 of 32 bytes) or Security:NotesKeyFile
/// (a file holding that base64 text, e.g. a mounted secret). Exactly one of them.
/// </summary>
public static class NotesKeySettings
{
    public const string KeySetting = "Security:NotesKey";

    public const string FileSetting = "Security:NotesKeyFile";

    /// <summary>The key, or null with every problem (naming the variable to set) added to <paramref name="problems"/>.</summary>
    public static MasterKey? Load(IConfiguration configuration, List<string> problems)
    {
        var inline = configuration[KeySetting];
        var file = configuration[FileSetting];
        if (string.IsNullOrEmpty(inline) && string.IsNullOrEmpty(file))
        {
            problems.Add("Security:NotesKey is not set (environment variable Security__NotesKey): the base64 of a random 32-byte key that wraps the "
                + "per-patient keys of clinical notes, e.g. from 'openssl rand -base64 32'; or set Security__NotesKeyFile to a file holding it.");
            return null;
        }

        if (!string.IsNullOrEmpty(inline) && !string.IsNullOrEmpty(file))
        {
            problems.Add("Security:NotesKey and Security:NotesKeyFile are both set; set only one.");
            return null;
        }

        string text;
        string source;
        if (!string.IsNullOrEmpty(file))
        {
            source = $"Security:NotesKeyFile ('{file}')";
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problems.Add($"{source} cannot be read: {ex.Message}");
                return null;
            }
        }
        else
        {
            source = "Security:NotesKey";
            text = inline!;
        }

        // The key itself is never echoed.
        if (!MasterKey.TryParse(text, out var key, out var problem))
        {
            problems.Add($"{source} {problem}.");
        }

        return key;
    }
}
