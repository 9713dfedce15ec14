using Npgsql;

namespace SpasmPlatform.EventStore.Outbox;

/// <summary>
/// The relay's addition to the event store schema: a statement-level trigger that NOTIFYs when outbox rows are inserted.
/// NOTIFY is delivered only when the inserting transaction commits, and never for a rolled-back one, so the relay wakes
/// exactly when there is something new to publish. A trigger (rather than a NOTIFY issued by EventStoreSession) also wakes
/// the relay for rows written by any other path, and leaves the session's commit untouched.
/// </summary>
internal static class OutboxSchema
{
    /// <summary>Recorded in schema_info under "outbox_relay".</summary>
    public const int Version = 1;

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
        CREATE OR REPLACE FUNCTION {{schema}}.outbox_notify() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        BEGIN
            -- Identical notifications within one transaction are folded into one, so a batch of inserts wakes the relay once.
            PERFORM pg_notify('{{Channel(schema)}}', '');
            RETURN NULL;
        END
        $fn$;

        CREATE OR REPLACE TRIGGER outbox_notify AFTER INSERT ON {{schema}}.outbox
            FOR EACH STATEMENT EXECUTE FUNCTION {{schema}}.outbox_notify();

        INSERT INTO {{schema}}.schema_info (component, version) VALUES ('outbox_relay', {{Version}})
            ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, migrated_at = now();
        """;

    /// <summary>Creates the event store schema if needed, then the trigger; idempotent and safe from several processes at once.</summary>
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
