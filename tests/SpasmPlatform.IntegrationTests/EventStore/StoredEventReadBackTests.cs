using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>Events read from the store keep data and metadata as bytes until asked; that must not be observable.</summary>
public sealed class StoredEventReadBackTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task A_read_event_equals_the_same_event_built_by_hand_and_copies_keep_their_values()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"lazy-{Guid.NewGuid()}";
        var appended = TestEvents.Pain(4, "neck");
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, [appended]);

        var read = Assert.Single(await store.ReadStreamAsync(stream));
        // Copied before anything of it was parsed: the copy and the original still share one metadata.
        var copy = read with { };
        var byHand = new StoredEvent(read.GlobalPosition, stream, 1, appended.EventId, "pain_recorded", 1, read.DataJson, read.Metadata, read.RecordedAt);

        Assert.Same(read.Metadata, copy.Metadata);
        Assert.Equal(read, copy);
        Assert.Equal(byHand, copy);
        Assert.Equal(byHand.GetHashCode(), read.GetHashCode());
        Assert.Equal(new PainRecorded(4, "neck"), read.Data<PainRecorded>());
        Assert.Equal(EventJson.Serialize(new PainRecorded(4, "neck")), read.DataJson.Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Equal("clinician-7", read.Metadata.Actor);

        var replaced = read with { DataJson = """{"score": 9, "region": "hip"}""", Metadata = new EventMetadata(Actor: "someone") };
        Assert.Equal(9, replaced.Data<PainRecorded>().Score);
        Assert.Equal("someone", replaced.Metadata.Actor);
        Assert.NotEqual(read, replaced);
        var (position, _, version, id, _, _, _, metadata, _) = read;
        Assert.Equal((read.GlobalPosition, 1L, appended.EventId, "clinician-7"), (position, version, id, metadata.Actor));
    }
}
