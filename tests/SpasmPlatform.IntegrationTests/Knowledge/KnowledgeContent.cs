using System.Text.RegularExpressions;
using SpasmPlatform.IntegrationTests.Infrastructure;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.IntegrationTests.Knowledge;

/// <summary>The knowledge content files in the repository, as a publish request would carry them.</summary>
internal static partial class KnowledgeContent
{
    public static string Directory { get; } = Path.Combine(Platform.RepoRoot, "services", "Knowledge", "SpasmPlatform.Knowledge", "Content");

    public static List<ContentFile> Files() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.yaml", SearchOption.AllDirectories)
            .Select(f => new ContentFile { Path = Path.GetRelativePath(Directory, f).Replace('\\', '/'), Text = File.ReadAllText(f) })
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();

    /// <summary>The repository's content with its knowledge version (and optionally rule-set version and cause threshold) changed.</summary>
    public static List<ContentFile> Versioned(string knowledgeVersion, string? ruleSetVersion = null, string? causeThreshold = null)
    {
        var files = Files();
        foreach (var file in files)
        {
            if (file.Path == "manifest.yaml")
            {
                file.Text = FirstVersion().Replace(file.Text, $"${{key}}\"{knowledgeVersion}\"", 1);
            }
            else if (file.Path == "rules.yaml")
            {
                if (ruleSetVersion is not null)
                {
                    file.Text = FirstVersion().Replace(file.Text, $"${{key}}\"{ruleSetVersion}\"", 1);
                }

                if (causeThreshold is not null)
                {
                    file.Text = Threshold().Replace(file.Text, $"${{key}}{causeThreshold}", 1);
                }
            }
        }

        return files;
    }

    public static string BundledVersion => FirstVersionValue("manifest.yaml");

    public static string BundledRuleSetVersion => FirstVersionValue("rules.yaml");

    private static string FirstVersionValue(string path) =>
        FirstVersion().Match(File.ReadAllText(Path.Combine(Directory, path))).Groups["value"].Value.Trim('"', '\'');

    [GeneratedRegex(@"(?m)(?<key>^\s*version:\s*)(?<value>\S+)")]
    private static partial Regex FirstVersion();

    [GeneratedRegex(@"(?m)(?<key>^\s*cause_report_threshold:\s*)\S+")]
    private static partial Regex Threshold();
}
