using Npgsql;

namespace SpasmPlatform.EventStore.Projections;

/// <summary>
/// The one table asynchronous projections add to the store's schema: requested rebuilds. A row is a request until
/// the read model has been cleared (reset_at set, target = the head at that moment), then a rebuild in progress until
/// the checkpoint reaches its target, when the row is deleted. Being in the database, a rebuild requested on any
/// instance is carried out by whichever instance holds the projection's lock, and a cancelled one is continued.
/// Kept apart from the core layout (EventStoreSchema) because only hosts that run projections need it.
/// </summary>
internal static class ProjectionSchema
{
    public static string Ddl(string schema) => $"""
        CREATE TABLE IF NOT EXISTS {schema}.projection_rebuilds (
            name text PRIMARY KEY,
            requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            reset_at timestamptz,
            target bigint);
        """;

    public static async Task EnsureAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The same key as the core migrator: concurrent CREATE ... IF NOT EXISTS can collide on the catalog.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue($"spasm-event-store:{schema}");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var ddl = new NpgsqlCommand(Ddl(schema), connection, transaction))
        {
            await ddl.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
