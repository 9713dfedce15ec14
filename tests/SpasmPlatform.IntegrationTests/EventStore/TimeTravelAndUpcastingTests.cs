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
    public async Task Events_of_a_retired_shape_are_upcast_on_read_and_the_stored_row_is_unchanged()
    {
        // The old shape stored the score as "pain" under "pain_score"; today's PainRecorded has "score" and "region".
        var stream = $"up-{Guid.NewGuid()}";
        var old = await db.CreateStoreAsync(options => options.Types.Register<PainScoreV1>("pain_score"));
        await old.AppendAsync(stream, "t", ExpectedVersion.NoStream, [new NewEvent(Guid.NewGuid(), "pain_score", new PainScoreV1(6), TestEvents.Metadata)]);

        var store = await db.CreateStoreAsync(options => options.Types
            .Upcast("pain_score", v1 => new PainRecorded(v1.RootElement.GetProperty("pain").GetInt32(), "unknown")));
        var read = Assert.Single(await store.ReadStreamAsync(stream));

        Assert.Equal(new PainRecorded(6, "unknown"), read.Data<PainRecorded>());
        Assert.Equal(TestEvents.Metadata, read.Metadata);
        await using var raw = db.DataSource.CreateCommand($"SELECT type, data::text FROM {db.Schema}.mt_events WHERE stream_id = $1");
        raw.Parameters.AddWithValue(stream);
        await using var reader = await raw.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("pain_score", reader.GetString(0));
        Assert.Equal("""{"pain": 6}""", reader.GetString(1));
        var report = await new SpasmPlatform.EventStore.Integrity.IntegrityVerifier(db.DataSource, db.Schema).VerifyAsync(stream);
        Assert.True(report.Intact, string.Join("; ", report.Breaks));
    }

    public sealed record PainScoreV1(int Pain);
}
