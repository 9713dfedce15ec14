using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Loading;

/// <summary>
/// Turns a bundle of YAML files (each a fragment of <see cref="KnowledgeBase"/>) into one validated, hashed
/// knowledge base. Nothing partial comes out: any problem fails the whole load with every problem listed.
/// </summary>
public static class KnowledgeLoader
{
    public static KnowledgeBase LoadDirectory(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Knowledge content directory '{directory}' does not exist.");
        }

        return Load(ReadDirectory(directory));
    }

    /// <summary>Every *.yaml file under <paramref name="directory"/>, paths relative with forward slashes.</summary>
    public static IReadOnlyList<ContentFileText> ReadDirectory(string directory) =>
        Directory.EnumerateFiles(directory, "*.yaml", SearchOption.AllDirectories)
            .Select(f => new ContentFileText(Path.GetRelativePath(directory, f).Replace('\\', '/'), File.ReadAllText(f)))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();

    public static KnowledgeBase Load(IReadOnlyList<ContentFileText> files)
    {
        var errors = new List<string>();
        var knowledge = Merge(files, errors);
        if (errors.Count == 0)
        {
            KnowledgeValidator.Validate(knowledge, errors);
        }

        if (errors.Count > 0)
        {
            throw new KnowledgeValidationException(errors);
        }

        KnowledgeValidator.FillCitationTitles(knowledge);
        knowledge.RuleSet.KnowledgeVersion = knowledge.Manifest.Version;
        knowledge.RuleSet.ContentHash = ContentHash.Of(knowledge.RuleSet);
        knowledge.ContentHash = ContentHash.Of(knowledge);
        return knowledge;
    }

    private static KnowledgeBase Merge(IReadOnlyList<ContentFileText> files, List<string> errors)
    {
        var knowledge = new KnowledgeBase();
        var manifestFrom = (string?)null;
        var ruleSetFrom = (string?)null;
        var planOrderFrom = (string?)null;
        if (files.Count == 0)
        {
            errors.Add("The bundle has no content files.");
        }

        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            if (file.Path.Length == 0 || file.Path.StartsWith('/') || file.Path.Split('/').Contains("..") || !file.Path.EndsWith(".yaml", StringComparison.Ordinal))
            {
                errors.Add($"{file.Path}: content files are relative *.yaml paths inside the bundle.");
                continue;
            }

            var fragment = YamlProtoReader.Read<KnowledgeBase>(file, errors);
            if (fragment.ContentHash.Length > 0)
            {
                errors.Add($"{file.Path}: content_hash is computed by the loader; remove it.");
            }

            if (fragment.Manifest is not null)
            {
                Once(ref manifestFrom, file.Path, "manifest", errors);
                knowledge.Manifest = fragment.Manifest;
            }

            if (fragment.RuleSet is not null)
            {
                Once(ref ruleSetFrom, file.Path, "rule_set", errors);
                knowledge.RuleSet = fragment.RuleSet;
            }

            if (fragment.PlanOrder is not null)
            {
                Once(ref planOrderFrom, file.Path, "plan_order", errors);
                knowledge.PlanOrder = fragment.PlanOrder;
            }

            knowledge.Sources.Add(fragment.Sources);
            knowledge.Conditions.Add(fragment.Conditions);
            knowledge.Interventions.Add(fragment.Interventions);
            knowledge.SafetyWarnings.Add(fragment.SafetyWarnings);
        }

        if (manifestFrom is null)
        {
            errors.Add("No file defines the manifest (manifest.yaml with 'manifest: {version: ...}').");
        }

        if (ruleSetFrom is null)
        {
            errors.Add("No file defines the rule_set (rules.yaml).");
        }

        return knowledge;
    }

    private static void Once(ref string? seenIn, string path, string what, List<string> errors)
    {
        if (seenIn is not null)
        {
            errors.Add($"{path}: {what} is already defined in {seenIn}; it must appear once.");
        }

        seenIn = path;
    }
}
