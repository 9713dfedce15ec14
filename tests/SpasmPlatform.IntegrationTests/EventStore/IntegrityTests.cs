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
            $"SELECT e.version, e.id, e.type, e.data::text, {HashChain.MetadataSql}::text, e.timestamp, c.previous_hash, c.hash " +
            $"FROM {db.Schema}.mt_events e JOIN {db.Schema}.event_chain c ON c.seq_id = e.seq_id WHERE e.stream_id = $1 ORDER BY e.version");
        command.Parameters.AddWithValue(stream);
        await using var reader = await command.ExecuteReaderAsync();
        byte[]? previous = null;
        while (await reader.ReadAsync())
        {
            var recomputed = HashChain.Compute(stream, reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(5), reader.GetString(3), reader.GetString(4), previous);
            Assert.Equal(reader.GetFieldValue<byte[]>(7), recomputed);
            previous = recomputed;
        }

        Assert.NotNull(previous);
    }

    [Theory]
    [InlineData("c-1", "k-1", "{\"tenant\": \"t\", \"caller\": \"svc\"}", "clinician:u-1")]
    [InlineData(null, null, null, null)]
    [InlineData(null, "k", "null", "")]
    [InlineData("quote \" back \\ slash", "tab\tnew\nline\r\b\f\u0001\u001f\u007f", "{\"a\": null, \"b\": {\"c\": null, \"d\": [null, {\"e\": null}]}}", "é ü \u2028 ✓ /")]
    [InlineData(null, null, "{\"x\": null}", null)]
    public async Task Metadata_text_built_in_csharp_matches_what_postgres_hashes(string? causation, string? correlation, string? headers, string? userName)
    {
        // The verifier builds the metadata object from its columns (the server strips the headers' nulls); the trigger
        // hashes PostgreSQL's own text of it. They must agree on every value, escapes and nulls included.
        await using var command = db.DataSource.CreateCommand(
            $"SELECT {HashChain.MetadataSql}::text, jsonb_strip_nulls(headers)::text " +
            "FROM (VALUES ($1::varchar, $2::varchar, $3::jsonb, $4::varchar)) AS v (causation_id, correlation_id, headers, user_name)");
        command.Parameters.AddWithValue((object?)causation ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)correlation ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)headers ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)userName ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());

        var built = HashChain.MetadataText(reader.IsDBNull(1) ? null : reader.GetString(1), causation, correlation, userName);

        Assert.Equal(reader.GetString(0), built);
    }

    [Fact]
    public async Task Altering_event_data_in_sql_is_reported_with_stream_and_version()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync($"UPDATE {{schema}}.mt_events SET data = jsonb_set(data, '{{score}}', '9') WHERE stream_id = '{stream}' AND version = 2");
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

        await db.ExecuteAsync($"UPDATE {{schema}}.mt_events SET user_name = 'someone-else' WHERE stream_id = '{stream}' AND version = 1");
        await db.ExecuteAsync($"UPDATE {{schema}}.mt_events SET timestamp = timestamp - interval '1 day' WHERE stream_id = '{stream}' AND version = 3");
        var report = await verifier.VerifyAsync(stream);

        Assert.Equal([1L, 3L], report.Breaks.Select(b => b.Version).Order());
    }

    [Fact]
    public async Task Deleting_an_event_is_reported()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync($"DELETE FROM {{schema}}.mt_events WHERE stream_id = '{stream}' AND version = 2");
        var report = await verifier.VerifyAsync(stream);

        Assert.False(report.Intact);
        Assert.Contains(report.Breaks, b => b.Version == 3 && b.Reason.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(report.Breaks, b => b.Version == 3 && b.Reason.Contains("previous_hash", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Removing_the_last_event_is_reported_by_the_stream_head()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync($"DELETE FROM {{schema}}.mt_events WHERE stream_id = '{stream}' AND version = 3");
        var report = await verifier.VerifyAsync(stream);

        Assert.Contains(report.Breaks, b => b.Reason.Contains("says version 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Altering_the_headers_or_the_correlation_is_reported()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync($"UPDATE {{schema}}.mt_events SET headers = headers || '{{\"caller\": \"forged\"}}' WHERE stream_id = '{stream}' AND version = 2");
        await db.ExecuteAsync($"UPDATE {{schema}}.mt_events SET correlation_id = 'other' WHERE stream_id = '{stream}' AND version = 3");
        var report = await verifier.VerifyAsync(stream);

        Assert.Equal([2L, 3L], report.Breaks.Select(b => b.Version).Order());
    }

    [Fact]
    public async Task Renumbering_events_is_reported()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        // Swap versions 1 and 2 through a free number, as someone reordering history would.
        await db.ExecuteAsync($"UPDATE {{schema}}.mt_events SET version = 100 WHERE stream_id = '{stream}' AND version = 1");
        await db.ExecuteAsync($"UPDATE {{schema}}.mt_events SET version = 1 WHERE stream_id = '{stream}' AND version = 2");
        await db.ExecuteAsync($"UPDATE {{schema}}.mt_events SET version = 2 WHERE stream_id = '{stream}' AND version = 100");
        var report = await verifier.VerifyAsync(stream);

        Assert.Contains(report.Breaks, b => b.StreamId == stream && b.Version == 1);
        Assert.Contains(report.Breaks, b => b.StreamId == stream && b.Version == 2);
    }

    [Fact]
    public async Task An_event_inserted_with_the_chain_trigger_disabled_is_reported_as_unhashed()
    {
        var (verifier, stream) = await StreamOfThreeAsync();

        await db.ExecuteAsync(
            "BEGIN; ALTER TABLE {schema}.mt_events DISABLE TRIGGER chain_event; " +
            $"INSERT INTO {{schema}}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type) " +
            $"SELECT nextval('{{schema}}.mt_events_sequence'), gen_random_uuid(), '{stream}', 4, '{{\"score\": 1, \"region\": \"x\"}}', 'pain_recorded', now(), mt_dotnet_type " +
            $"FROM {{schema}}.mt_events WHERE stream_id = '{stream}' AND version = 3; " +
            "ALTER TABLE {schema}.mt_events ENABLE TRIGGER chain_event; COMMIT;");
        var report = await verifier.VerifyAsync(stream);

        Assert.Contains(report.Breaks, b => b.Version == 4 && b.Reason.Contains("no hash", StringComparison.Ordinal));
        Assert.Contains(report.Breaks, b => b.Reason.Contains("says version 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_store_verified_while_new_streams_keep_committing_is_intact_every_time()
    {
        var store = await db.CreateStoreAsync();
        var verifier = new IntegrityVerifier(db.DataSource, db.Schema);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await store.AppendAsync($"busy-{Guid.NewGuid()}", "t", ExpectedVersion.NoStream, TestEvents.Pains(1, 2));
            }
        })).ToList();

        var reports = new List<IntegrityReport>();
        while (!stop.IsCancellationRequested)
        {
            reports.Add(await verifier.VerifyAsync());
        }

        await Task.WhenAll(writers);
        Assert.True(reports.Count >= 2);
        Assert.All(reports, r => Assert.True(r.Intact, string.Join("; ", r.Breaks)));
    }
}
