using SpasmPlatform.Knowledge.Loading;
using SpasmPlatform.Knowledge.V1;
using SpasmPlatform.Triage.Engine;

namespace SpasmPlatform.Triage.Tests.Engine;

/// <summary>The knowledge content as shipped with the knowledge service, loaded and validated once.</summary>
internal static class ShippedKnowledge
{
    public static KnowledgeBase Knowledge { get; } = KnowledgeLoader.LoadDirectory(Path.Combine(AppContext.BaseDirectory, "Content"));

    public static TriageEngine Engine { get; } = TriageEngine.For(Knowledge);
}
