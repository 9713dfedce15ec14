using SpasmPlatform.Knowledge.Loading;

namespace SpasmPlatform.Knowledge.Tests;

/// <summary>The knowledge content as shipped (copied next to the service binary, which this project references).</summary>
internal static class BundledContent
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Content");

    public static IReadOnlyList<ContentFileText> Files() => KnowledgeLoader.ReadDirectory(Directory);

    /// <summary>The shipped files with <paramref name="path"/> replaced (or added).</summary>
    public static IReadOnlyList<ContentFileText> With(string path, string text) =>
        Files().Where(f => f.Path != path).Append(new ContentFileText(path, text)).ToList();

    /// <summary>The shipped files with one file's text transformed.</summary>
    public static IReadOnlyList<ContentFileText> Editing(string path, Func<string, string> edit) =>
        Files().Select(f => f.Path == path ? f with { Text = edit(f.Text) } : f).ToList();

    public static KnowledgeValidationException Invalid(IReadOnlyList<ContentFileText> files) =>
        Assert.Throws<KnowledgeValidationException>(() => KnowledgeLoader.Load(files));
}
