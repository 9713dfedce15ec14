using System.Text.Json;
using Google.Protobuf;

namespace SpasmPlatform.CarePlan.Domain;

/// <summary>
/// Plans and interventions inside events are stored in the protobuf JSON mapping with proto field names: the
/// contract's own mapping, stable across code generations.
/// </summary>
public static class ProtoJson
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    public static JsonElement ToElement(IMessage message)
    {
        using var document = JsonDocument.Parse(Formatter.Format(message));
        return document.RootElement.Clone();
    }
}
