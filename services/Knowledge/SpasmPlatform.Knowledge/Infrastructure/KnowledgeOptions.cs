namespace SpasmPlatform.Knowledge.Infrastructure;

/// <summary>Configuration section "Knowledge".</summary>
public sealed class KnowledgeOptions
{
    public const string Section = "Knowledge";

    /// <summary>The bundled content published at start-up; default: the Content folder next to the service binary.</summary>
    public string ContentPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "Content");

    /// <summary>Publish <see cref="ContentPath"/> at start-up (a no-op when that exact version is already stored).</summary>
    public bool PublishBundledContent { get; set; } = true;
}
