using SpasmPlatform.EventStore;
using SpasmPlatform.EventStore.Streams;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>Bringing a schema up to date: idempotent, safe from several callers at once, and clear about what it will not touch.</summary>
public sealed class SchemaTests : IAsyncLifetime
{
    private readonly EventStoreDatabase _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Migrating_a_current_schema_again_from_several_stores_at_once_keeps_the_chain_and_appends_continue()
    {
        var db = _db;
        var store = await db.CreateStoreAsync();
        var stream = $"s-{Guid.NewGuid()}";
        await store.AppendAsync(stream, "t", ExpectedVersion.NoStream, TestEvents.Pains(1, 2));

        // Each of these is a process starting: its own store, all at once.
        var others = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => db.CreateStoreAsync()));
        await Task.WhenAll(others.Select(s => s.EnsureSchemaAsync()));

        Assert.Equal(3L, await ScalarAsync(db, "SELECT version FROM {schema}.schema_info WHERE component = 'event_store'"));
        Assert.Equal(1L, await ScalarAsync(db, "SELECT count(*) FROM pg_trigger WHERE tgname = 'chain_event' AND tgrelid = '{schema}.mt_events'::regclass"));
        var next = await others[0].AppendAsync(stream, "t", ExpectedVersion.Exactly(2), TestEvents.Pains(3));
        Assert.Equal(3, next.NewVersion);
        var report = await new SpasmPlatform.EventStore.Integrity.IntegrityVerifier(db.DataSource, db.Schema).VerifyAsync(stream);
        Assert.True(report.Intact, string.Join("; ", report.Breaks));
    }

    [Fact]
    public async Task A_schema_of_the_store_from_before_Marten_is_refused_with_how_to_start_again_and_left_as_it_is()
    {
        var db = _db;
        await db.ExecuteAsync(
            "CREATE SCHEMA {schema}; CREATE TABLE {schema}.schema_info (component text PRIMARY KEY, version int NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now()); " +
            "INSERT INTO {schema}.schema_info (component, version) VALUES ('event_store', 2); CREATE TABLE {schema}.events (global_position bigint)");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => db.CreateStoreAsync());

        Assert.Contains("before Marten", error.Message, StringComparison.Ordinal);
        Assert.Contains($"DROP SCHEMA {db.Schema} CASCADE", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync(db, "SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema}' AND table_name LIKE 'mt_%'"));
        Assert.Equal(2L, await ScalarAsync(db, "SELECT version FROM {schema}.schema_info WHERE component = 'event_store'"));
    }

    private static async Task<long> ScalarAsync(EventStoreDatabase db, string sql)
    {
        await using var command = db.DataSource.CreateCommand(sql.Replace("{schema}", db.Schema, StringComparison.Ordinal));
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
