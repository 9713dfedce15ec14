using System.Security.Cryptography;
using Google.Protobuf;
using SpasmPlatform.Knowledge.V1;

namespace SpasmPlatform.Knowledge.Loading;

/// <summary>
/// "sha256:&lt;hex&gt;" over a message's protobuf encoding with its own hash fields cleared. Google.Protobuf writes
/// fields in number order and the content has no maps, so equal content always gives equal bytes; fields added
/// to the schema later are absent from old content and leave its hash unchanged.
/// </summary>
public static class ContentHash
{
    public static string Of(RuleSet ruleSet)
    {
        var copy = ruleSet.Clone();
        copy.ContentHash = string.Empty;
        copy.KnowledgeVersion = string.Empty;
        return Hash(copy);
    }

    public static string Of(KnowledgeBase knowledge)
    {
        var copy = knowledge.Clone();
        copy.ContentHash = string.Empty;
        return Hash(copy);
    }

    private static string Hash(IMessage message) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(message.ToByteArray()));
}
