using System.Text.Json.Nodes;
using SpasmPlatform.EventStore.Serialization;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

public sealed class TimeTravelAndUpcastingTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    private static int Fold(IEnumerable<StoredEvent> events) => events.Aggregate(0, (total, e) => total + e.Data<PainRecorded>().Score);

    [Fact]
    public async Task State_at_a_version_equals_a_fold_over_the_log_prefix()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"tt-{Guid.NewGuid()}";
        var scores = new[] { 2, 3, 5, 7, 11 };
        foreach (var (score, i) in scores.Select((s, i) => (s, i)))
        {
            await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(i), TestEvents.Pains(score));
        }

        for (var version = 1; version <= scores.Length; version++)
        {
            var prefix = await store.ReadStreamAsync(stream, toVersion: version);
            Assert.Equal(scores.Take(version).Sum(), Fold(prefix));
        }
    }

    [Fact]
    public async Task State_at_a_timestamp_contains_exactly_the_events_recorded_by_then()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"tt-{Guid.NewGuid()}";
        var first = await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(1, 2));
        var second = await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(2), TestEvents.Pains(10));

        Assert.True(second.RecordedAt > first.RecordedAt);
        Assert.Empty(await store.ReadStreamAsOfAsync(stream, first.RecordedAt.AddTicks(-10)));
        Assert.Equal(3, Fold(await store.ReadStreamAsOfAsync(stream, first.RecordedAt)));
        Assert.Equal(3, Fold(await store.ReadStreamAsOfAsync(stream, second.RecordedAt.AddTicks(-10))));
        Assert.Equal(13, Fold(await store.ReadStreamAsOfAsync(stream, second.RecordedAt)));
    }

    [Fact]
    public async Task Old_schema_versions_are_upcast_on_read_and_the_stored_row_is_unchanged()
    {
        // Version 1 stored the score as "pain"; version 2 renamed it to "score" and added "region".
        var store = await db.CreateStoreAsync(options => options.Types
            .Register<PainRecorded>("pain_recorded", 2)
            .AddUpcaster("pain_recorded", 1, v1 => new JsonObject { ["score"] = v1["pain"]!.DeepClone(), ["region"] = "unknown" }));
        var stream = $"up-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, [new NewEvent(Guid.NewGuid(), "pain_recorded", 1, """{"pain": 6}""", TestEvents.Metadata)]);

        var read = Assert.Single(await store.ReadStreamAsync(stream));

        Assert.Equal(2, read.SchemaVersion);
        Assert.Equal(new PainRecorded(6, "unknown"), read.Data<PainRecorded>());
        await using var raw = db.DataSource.CreateCommand($"SELECT schema_version, data::text FROM {db.Schema}.events WHERE stream_id = $1");
        raw.Parameters.AddWithValue(stream);
        await using var reader = await raw.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(1, reader.GetInt32(0));
        Assert.Equal("""{"pain": 6}""", reader.GetString(1));
    }
}
