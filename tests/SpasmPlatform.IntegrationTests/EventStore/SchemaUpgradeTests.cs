using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Integrity;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>A schema written by version 1 (with data) is upgraded in place at start-up, by several instances at once.</summary>
public sealed class SchemaUpgradeTests : IAsyncLifetime
{
    // A schema per test: each starts from an empty version 1 database.
    private readonly EventStoreDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task A_v1_schema_with_events_is_upgraded_with_its_chains_intact_and_appends_continue_them()
    {
        await using (var v1 = _db.DataSource.CreateCommand(EventStoreSchemaV1.Ddl(_db.Schema)))
        {
            await v1.ExecuteNonQueryAsync();
        }

        // Not EnsureSchemaAsync: that would upgrade before the version 1 function has written anything.
        var store = new PostgresEventStore(_db.DataSource, new EventStoreOptions { Schema = _db.Schema });
        var chained = $"chained-{Guid.NewGuid()}";
        var single = $"single-{Guid.NewGuid()}";
        var firstEvents = TestEvents.Pains(1, 2);
        var first = await store.AppendAsync(chained, "t", ExpectedVersion.NoStream, firstEvents);
        await store.AppendAsync(chained, "t", ExpectedVersion.Exactly(2), TestEvents.Pains(3));
        await store.AppendAsync(single, "t", ExpectedVersion.NoStream, TestEvents.Pains(4));
        Assert.True(await ReturnsSetAsync());
        Assert.Equal(1, await SchemaVersionAsync());
        var before = await RowsAsync();

        // Instances starting together: they take turns on the migrators' advisory lock.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.EnsureSchemaAsync()));
        await store.EnsureSchemaAsync();

        Assert.False(await ReturnsSetAsync());
        Assert.Equal(2, await SchemaVersionAsync());
        Assert.Equal(before, await RowsAsync());
        var verifier = new IntegrityVerifier(_db.DataSource, _db.Schema);
        var upgraded = await verifier.VerifyAsync();
        Assert.True(upgraded.Intact, string.Join("; ", upgraded.Breaks));
        Assert.Equal(4, upgraded.EventsChecked);

        var continued = await store.AppendAsync(chained, "t", ExpectedVersion.Exactly(3), TestEvents.Pains(5, 6));
        await store.AppendAsync(single, "t", ExpectedVersion.Any, TestEvents.Pains(7));
        await store.AppendAsync($"new-{Guid.NewGuid()}", "t", ExpectedVersion.NoStream, TestEvents.Pains(8));
        Assert.Equal(5, continued.NewVersion);
        var after = await verifier.VerifyAsync();
        Assert.True(after.Intact, string.Join("; ", after.Breaks));
        Assert.Equal(8, after.EventsChecked);
        Assert.Equal([1, 2, 3, 5, 6], (await store.ReadStreamAsync(chained)).Select(e => e.Data<PainRecorded>().Score));

        // An append committed by version 1 and retried after the upgrade is still recognised.
        var retry = await store.AppendAsync(chained, "t", ExpectedVersion.NoStream, firstEvents);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Positions, retry.Positions);
        await Assert.ThrowsAsync<EventIdConflictException>(() => store.AppendAsync(single, "t", ExpectedVersion.Exactly(2), [firstEvents[0]]));
    }

    [Fact]
    public async Task Migrating_a_current_schema_again_keeps_the_function_and_the_recorded_version()
    {
        var store = await _db.CreateStoreAsync();
        var oid = await FunctionOidAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => store.EnsureSchemaAsync()));

        // Replaced in place, never dropped: running sessions keep calling the same function.
        Assert.Equal(oid, await FunctionOidAsync());
        Assert.Equal(2, await SchemaVersionAsync());
        var result = await store.AppendAsync($"s-{Guid.NewGuid()}", "t", ExpectedVersion.NoStream, TestEvents.Pains(1));
        Assert.Equal(1, result.NewVersion);
    }

    private async Task<bool> ReturnsSetAsync() =>
        (bool)(await ScalarAsync($"SELECT proretset FROM pg_proc WHERE oid = to_regprocedure('{_db.Schema}.append_events(text, text, bigint, uuid[], text[], integer[], jsonb[], jsonb[])')"))!;

    private async Task<uint> FunctionOidAsync() =>
        (uint)(await ScalarAsync($"SELECT to_regprocedure('{_db.Schema}.append_events(text, text, bigint, uuid[], text[], integer[], jsonb[], jsonb[])')::oid"))!;

    private async Task<int> SchemaVersionAsync() =>
        (int)(await ScalarAsync($"SELECT version FROM {_db.Schema}.schema_info WHERE component = 'event_store'"))!;

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var command = _db.DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Every stored row's identity, content and hashes, in global order, as one comparable text.</summary>
    private async Task<string> RowsAsync()
    {
        await using var command = _db.DataSource.CreateCommand(
            $"SELECT string_agg(concat_ws('|', global_position, stream_id, stream_version, event_id, data::text, metadata::text, recorded_at, encode(previous_hash, 'hex'), encode(hash, 'hex')), E'\\n' ORDER BY global_position) FROM {_db.Schema}.events");
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
