using Npgsql;
using SpasmPlatform.EventStore;
using SpasmPlatform.IntegrationTests.Infrastructure;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>A schema of its own on the real PostgreSQL for one test class; dropped afterwards.</summary>
public sealed class EventStoreDatabase : IAsyncLifetime
{
    public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(Platform.Postgres);

    public string Schema { get; } = $"es_{Guid.NewGuid():N}"[..16];

    /// <summary>A store on this class's schema; <paramref name="configure"/> adds types, upcasts, projections (PainRecorded and ProbeRecorded are registered already).</summary>
    public async Task<MartenEventStore> CreateStoreAsync(Action<EventStoreOptions>? configure = null)
    {
        var options = new EventStoreOptions { Schema = Schema };
        options.Types.Register<PainRecorded>(TestEvents.PainRecordedName).Register<ProbeRecorded>(TestEvents.ProbeRecordedName);
        configure?.Invoke(options);
        var store = new MartenEventStore(DataSource, options);
        await store.EnsureSchemaAsync();
        return store;
    }

    public async Task<int> ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        return await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ExecuteScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql.Replace("{schema}", Schema, StringComparison.Ordinal));
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await ExecuteAsync("DROP SCHEMA IF EXISTS {schema} CASCADE");
        await DataSource.DisposeAsync();
    }
}
