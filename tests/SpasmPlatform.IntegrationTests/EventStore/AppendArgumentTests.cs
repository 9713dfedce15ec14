using Npgsql;

namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>append_events called directly (as a migration script or a tool might) refuses arrays that do not line up.</summary>
public sealed class AppendArgumentTests(EventStoreDatabase db) : IClassFixture<EventStoreDatabase>
{
    [Fact]
    public async Task Arrays_of_different_lengths_are_refused_and_nothing_is_stored()
    {
        await db.CreateStoreAsync();
        var stream = $"mismatch-{Guid.NewGuid()}";

        var error = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync(
            $"""
            SELECT {db.Schema}.append_events('{stream}', 't', -1, ARRAY[gen_random_uuid(), gen_random_uuid()], ARRAY['a', 'b'], ARRAY[1, 1],
                ARRAY[jsonb_build_object(), jsonb_build_object()], ARRAY[jsonb_build_object()])
            """));

        Assert.Equal("22023", error.SqlState);
        await using var count = db.DataSource.CreateCommand($"SELECT count(*) FROM {db.Schema}.events WHERE stream_id = $1");
        count.Parameters.AddWithValue(stream);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }
}
