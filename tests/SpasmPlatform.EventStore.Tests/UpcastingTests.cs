using System.Text.Json;
using SpasmPlatform.EventStore.Serialization;

namespace SpasmPlatform.EventStore.Tests;

/// <summary>The registry only collects names and upcasts for Marten; what it refuses is refused before Marten sees it.</summary>
public sealed class UpcastingTests
{
    private sealed record Scored(int Score);

    private sealed record Other(int Value);

    [Fact]
    public void A_name_maps_to_one_type_and_back()
    {
        var registry = new EventTypeRegistry().Register<Scored>("scored");

        Assert.Equal("scored", registry.NameOf(typeof(Scored)));
        Assert.Equal(typeof(Scored), registry.TypeOf("scored"));
        Assert.Null(registry.TypeOf("unknown"));
        Assert.Throws<InvalidOperationException>(() => registry.NameOf(typeof(Other)));
    }

    [Fact]
    public void One_name_cannot_mean_two_types()
    {
        var registry = new EventTypeRegistry().Register<Scored>("scored");

        Assert.Throws<ArgumentException>(() => registry.Register<Other>("scored"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("two\nlines")]
    public void Names_that_would_break_the_hashed_text_are_refused(string name) =>
        Assert.Throws<ArgumentException>(() => new EventTypeRegistry().Register<Scored>(name));

    [Fact]
    public void An_upcast_reads_a_retired_name_never_a_current_one()
    {
        var registry = new EventTypeRegistry().Register<Scored>("scored_v2");

        registry.Upcast("scored", document => new Scored(document.RootElement.GetProperty("pain").GetInt32()));
        var rule = Assert.Single(registry.Upcasts);
        Assert.Equal("scored", rule.OldName);
        Assert.Equal(new Scored(6), rule.Transform(JsonDocument.Parse("""{"pain": 6}""")));
        Assert.Throws<ArgumentException>(() => registry.Upcast("scored_v2", _ => new Scored(0)));
    }
}
