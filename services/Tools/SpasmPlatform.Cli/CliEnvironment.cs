using System.Text.RegularExpressions;

namespace SpasmPlatform.Cli;

/// <summary>
/// The CLI's settings (service addresses, certificates): an environment variable when it is set, otherwise the value
/// `./spasm` wrote to <c>.spasm/env</c>, found by searching upward from the current directory. So a newcomer can call
/// the platform from anywhere in the checkout without sourcing the file first, and a variable set by hand (another
/// role's certificate, another address) still decides.
/// </summary>
internal static partial class CliEnvironment
{
    public const string AssessmentAddress = "SPASM_ASSESSMENT_ADDRESS";
    public const string KnowledgeAddress = "SPASM_KNOWLEDGE_ADDRESS";
    public const string CarePlanAddress = "SPASM_CAREPLAN_ADDRESS";

    private static readonly Lazy<(string? Path, IReadOnlyDictionary<string, string> Values)> StateFile = new(() => Load(Directory.GetCurrentDirectory()));

    /// <summary>The variable's value from the environment, else from .spasm/env; null when neither has one.</summary>
    public static string? Get(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value
        : StateFile.Value.Values.TryGetValue(name, out var stored) && stored.Length > 0 ? stored
        : null;

    /// <summary>The .spasm/env that was read, for messages; null when none was found.</summary>
    public static string? StateFilePath => StateFile.Value.Path;

    /// <summary>The nearest <c>.spasm/env</c> at or above <paramref name="start"/>, parsed; empty when there is none.</summary>
    private static (string? Path, IReadOnlyDictionary<string, string> Values) Load(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            var file = Path.Combine(directory.FullName, ".spasm", "env");
            if (File.Exists(file))
            {
                return (file, Parse(File.ReadAllLines(file)));
            }
        }

        return (null, new Dictionary<string, string>());
    }

    /// <summary>
    /// Reads the lines `./spasm` writes (<c>export NAME="value"</c>); comments and anything else are skipped rather
    /// than refused, since the file is also meant to be sourced by a shell and may be edited by hand.
    /// </summary>
    private static IReadOnlyDictionary<string, string> Parse(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            var match = Assignment().Match(line);
            if (match.Success)
            {
                var value = match.Groups["double"].Success ? match.Groups["double"].Value
                    : match.Groups["single"].Success ? match.Groups["single"].Value
                    : match.Groups["bare"].Value;
                values[match.Groups["name"].Value] = value;
            }
        }

        return values;
    }

    [GeneratedRegex("""^\s*(?:export\s+)?(?<name>[A-Za-z_][A-Za-z0-9_]*)=(?:"(?<double>[^"]*)"|'(?<single>[^']*)'|(?<bare>[^\s"'#]*))\s*(?:#.*)?$""")]
    private static partial Regex Assignment();
}
