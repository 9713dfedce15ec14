namespace SpasmPlatform.Knowledge.Domain;

/// <summary>One stream per knowledge version, holding the one event that published it.</summary>
public static class KnowledgeVersionStream
{
    public const string StreamType = "knowledge_version";

    public static string Id(string version) => $"knowledge-{version}";
}
