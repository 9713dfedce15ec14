using System.Text.Json;
using Google.Protobuf;

namespace SpasmPlatform.Assessment.Domain;

/// <summary>
/// Proto messages inside events are stored in the protobuf JSON mapping (proto field names), not as System.Text.Json
/// shapes of the generated classes: that mapping is the contract's own, stable across code generations.
/// </summary>
public static class ProtoJson
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    // Events written by a newer version may carry fields this one does not know; reading them must not fail.
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(true));

    public static string Format(IMessage message) => Formatter.Format(message);

    public static JsonElement ToElement(IMessage message)
    {
        using var document = JsonDocument.Parse(Formatter.Format(message));
        return document.RootElement.Clone();
    }

    public static T Parse<T>(JsonElement json)
        where T : IMessage<T>, new() =>
        Parser.Parse<T>(json.GetRawText());

    public static T Parse<T>(string json)
        where T : IMessage<T>, new() =>
        Parser.Parse<T>(json);
}
