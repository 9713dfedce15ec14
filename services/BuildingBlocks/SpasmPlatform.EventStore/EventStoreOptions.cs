using SpasmPlatform.EventStore.Projections;
using SpasmPlatform.EventStore.Serialization;

namespace SpasmPlatform.EventStore;

public sealed class EventStoreOptions
{
    /// <summary>The PostgreSQL schema this service owns ("assessment", "careplan", ...).</summary>
    public string Schema { get; set; } = "events";

    public EventTypeRegistry Types { get; } = new();

    public IList<IInlineProjection> InlineProjections { get; } = [];

    internal void Validate()
    {
        if (string.IsNullOrEmpty(Schema) || !Schema.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') || char.IsDigit(Schema[0]))
        {
            // Interpolated into DDL, so only plain lower-case identifiers are accepted.
            throw new ArgumentException($"Schema name '{Schema}' must be a lower-case identifier (a-z, 0-9, _).");
        }
    }
}
