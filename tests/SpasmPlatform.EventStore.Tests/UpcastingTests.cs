using System.Text.Json.Nodes;
using SpasmPlatform.EventStore.Serialization;

namespace SpasmPlatform.EventStore.Tests;

public sealed class UpcastingTests
{
    private static EventTypeRegistry Registry() => new EventTypeRegistry()
        .AddUpcaster("triage_decided", 1, v1 => new JsonObject { ["urgency"] = v1["level"]!.DeepClone() })
        .AddUpcaster("triage_decided", 2, v2 =>
        {
            var v3 = (JsonObject)v2.DeepClone();
            v3["rule_set_version"] = "unpinned";
            return v3;
        });

    [Fact]
    public void Upcasters_chain_from_the_stored_version_to_the_newest()
    {
        var (data, version) = Registry().Upcast("triage_decided", 1, """{"level":"emergency"}""");

        Assert.Equal(3, version);
        Assert.Equal("""{"urgency":"emergency","rule_set_version":"unpinned"}""", data);
    }

    [Fact]
    public void Data_at_an_intermediate_version_takes_only_the_later_steps()
    {
        var (data, version) = Registry().Upcast("triage_decided", 2, """{"urgency":"routine"}""");

        Assert.Equal(3, version);
        Assert.Equal("""{"urgency":"routine","rule_set_version":"unpinned"}""", data);
    }

    [Fact]
    public void Current_data_and_other_types_pass_through_untouched()
    {
        var registry = Registry();
        const string current = """{ "urgency": "routine", "rule_set_version": "2026.1" }""";

        Assert.Equal((current, 3), registry.Upcast("triage_decided", 3, current));
        Assert.Equal((current, 1), registry.Upcast("other_event", 1, current));
    }

    [Fact]
    public void Upcasting_is_pure_the_same_input_gives_the_same_output()
    {
        var registry = Registry();

        Assert.Equal(registry.Upcast("triage_decided", 1, """{"level":"x"}"""), registry.Upcast("triage_decided", 1, """{"level":"x"}"""));
    }

    [Fact]
    public void Registered_types_have_names_and_versions_and_unregistered_ones_fail_loudly()
    {
        var registry = new EventTypeRegistry().Register<Sample>("sample", 4);

        Assert.Equal(("sample", 4), registry.NameOf(typeof(Sample)));
        Assert.Equal(typeof(Sample), registry.TypeOf("sample"));
        Assert.Throws<InvalidOperationException>(() => registry.NameOf(typeof(string)));
        Assert.Throws<ArgumentException>(() => registry.Register<Sample>("bad\nname"));
    }

    private sealed record Sample(int Value);
}
