using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>An event read back through Marten is the event that was appended, in every member a reader uses.</summary>
public sealed class StoredEventReadBackTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task A_read_event_equals_the_same_event_built_by_hand_and_copies_keep_their_values()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"lazy-{Guid.NewGuid()}";
        var appended = TestEvents.Pain(4, "neck");
        var result = await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, [appended]);

        var read = Assert.Single(await store.ReadStreamAsync(stream));
        var copy = read with { };
        var byHand = new StoredEvent(result.Positions[0], stream, 1, appended.EventId, "pain_recorded", new PainRecorded(4, "neck"), TestEvents.Metadata, result.RecordedAt);

        Assert.Equal(read, copy);
        Assert.Equal(byHand, read);
        Assert.Equal(byHand.GetHashCode(), read.GetHashCode());
        Assert.Equal(new PainRecorded(4, "neck"), read.Data<PainRecorded>());
        Assert.Equal(EventJson.Serialize(new PainRecorded(4, "neck")), read.DataJson);
        Assert.Equal(TestEvents.Metadata, read.Metadata);

        var replaced = read with { EventData = new PainRecorded(9, "hip"), Metadata = new EventMetadata(Actor: "someone") };
        Assert.Equal(9, replaced.Data<PainRecorded>().Score);
        Assert.Equal("someone", replaced.Metadata.Actor);
        Assert.NotEqual(read, replaced);
    }
}
