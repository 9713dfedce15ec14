using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

public sealed class IntegrityTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    private async Task<(IntegrityVerifier Verifier, string Stream)> StreamOfThreeAsync()
    {
        var store = await db.CreateStoreAsync();
        var stream = $"chain-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(1, 2));
        await store.AppendAsync(stream, "t", ExpectedVersion.Exactly(2), TestEvents.Pains(3));
        return (new IntegrityVerifier(db.DataSource, db.Schema), stream);
    }

    [Fact]
    public async Task An_untouched_stream_is_intact_and_every_event_is_checked()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        var report = await verifier.VerifyAsync(stream);

        Assert.True(report.Intact, string.Join("; ", report.Breaks));
        Assert.Equal(3, report.EventsChecked);
    }

    [Fact]
    public async Task Hashes_recomputed_in_csharp_match_the_ones_postgres_computed()
    {
        var (_, stream) = await StreamOfThreeAsync();
        await using var command = db.DataSource.CreateCommand(
            $"SELECT stream_version, event_id, event_type, schema_version, data::text, metadata::text, recorded_at, previous_hash, hash FROM {db.Schema}.events WHERE stream_id = $1 ORDER BY stream_version");
        command.Parameters.AddWithValue(stream);
        await using var reader = await command.ExecuteReaderAsync();
        byte[]? previous = null;
        while (await reader.ReadAsync())
        {
            var recomputed = HashChain.Compute(stream, reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetInt32(3),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetString(4), reader.GetString(5), previous);
            Assert.Equal(reader.GetFieldValue<byte[]>(8), recomputed);
            previous = recomputed;
        }

        Assert.NotNull(previous);
    }

    [Fact]
    public async Task Altering_event_data_in_sql_is_reported_with_stream_and_version()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync($"UPDATE {{schema}}.events SET data = jsonb_set(data, '{{score}}', '9') WHERE stream_id = '{stream}' AND stream_version = 2");
        var report = await verifier.VerifyAsync(stream);

        Assert.False(report.Intact);
        var broken = Assert.Single(report.Breaks);
        Assert.Equal(stream, broken.StreamId);
        Assert.Equal(2, broken.Version);
        Assert.Contains("altered", broken.Reason);
    }

    [Fact]
    public async Task Altering_metadata_or_the_recorded_time_is_reported()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync($"UPDATE {{schema}}.events SET metadata = jsonb_set(metadata, '{{actor}}', '\"someone-else\"') WHERE stream_id = '{stream}' AND stream_version = 1");
        await db.ExecuteAsync($"UPDATE {{schema}}.events SET recorded_at = recorded_at - interval '1 day' WHERE stream_id = '{stream}' AND stream_version = 3");
        var report = await verifier.VerifyAsync(stream);

        Assert.Equal([1L, 3L], report.Breaks.Select(b => b.Version).Order());
    }

    [Fact]
    public async Task Deleting_an_event_is_reported()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync($"DELETE FROM {{schema}}.events WHERE stream_id = '{stream}' AND stream_version = 2");
        var report = await verifier.VerifyAsync(stream);

        Assert.False(report.Intact);
        Assert.Contains(report.Breaks, b => b.Version == 3 && b.Reason.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(report.Breaks, b => b.Version == 3 && b.Reason.Contains("previous_hash", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Removing_the_last_event_is_reported_by_the_stream_head()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync($"DELETE FROM {{schema}}.events WHERE stream_id = '{stream}' AND stream_version = 3");
        var report = await verifier.VerifyAsync(stream);

        Assert.Contains(report.Breaks, b => b.Reason.Contains("says version 3", StringComparison.Ordinal));
    }
}
