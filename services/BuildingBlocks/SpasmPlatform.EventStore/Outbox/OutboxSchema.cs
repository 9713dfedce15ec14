using Npgsql;

namespace SpasmPlatform.EventStore.Outbox;

/// <summary>
/// The relay's part of the event store schema: its notification channel, and the removal of the trigger that once sent
/// NOTIFY inside every transaction writing outbox rows (version 1). That NOTIFY serialised every such commit in the
/// database on one lock; <see cref="OutboxSignal"/> notifies after the commit instead.
/// </summary>
internal static class OutboxSchema
{
    /// <summary>Recorded in schema_info under "outbox_relay".</summary>
    public const int Version = 2;

    /// <summary>PostgreSQL channel names are identifiers: at most 63 bytes.</summary>
    private const int MaxIdentifierLength = 63;

    public static string Channel(string schema)
    {
        var channel = $"{schema}_outbox";
        return channel.Length <= MaxIdentifierLength
            ? channel
            : throw new ArgumentException($"Schema name '{schema}' is too long for the outbox notification channel '{channel}'.", nameof(schema));
    }

    public static string Ddl(string schema) => $$"""
        DROP TRIGGER IF EXISTS outbox_notify ON {{schema}}.outbox;
        DROP FUNCTION IF EXISTS {{schema}}.outbox_notify();

        INSERT INTO {{schema}}.schema_info (component, version) VALUES ('outbox_relay', {{Version}})
            ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, migrated_at = now();
        """;

    /// <summary>Creates the event store schema if needed, then records the relay's version; idempotent and safe from several processes at once.</summary>
    public static async Task EnsureAsync(MartenEventStore store, CancellationToken cancellationToken)
    {
        await store.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);

        await using var connection = await store.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // The same lock the event store's migrator takes: concurrent CREATE OR REPLACE on one catalog entry can collide.
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext($1))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue($"spasm-event-store:{store.Schema}");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var ddl = new NpgsqlCommand(Ddl(store.Schema), connection, transaction))
        {
            await ddl.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
