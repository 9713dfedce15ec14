using JasperFx;
using Marten;
using Npgsql;

namespace SpasmPlatform.EventStore.Schema;

/// <summary>
/// The store's schema: Marten's own tables (mt_events, mt_streams, ...), which Marten creates and migrates, and ours
/// beside them, described here in one place: the hash chain, the outbox and the inbox.
/// </summary>
internal static class EventStoreSchema
{
    /// <summary>Bumped when our part of the layout changes; kept in schema_info so a migration knows where it starts.</summary>
    public const int Version = 3;

    /// <summary>The first layout on Marten; lower versions are the home-made store that came before.</summary>
    public const int FirstMartenVersion = 3;

    /// <summary>The name of the unique index that refuses an event id stored twice (EventStoreSession maps it).</summary>
    public const string EventIdConstraint = "event_chain_event_id_key";

    /// <summary>
    /// The hash of each event, computed by a trigger as Marten inserts the row, so it is in the same transaction and
    /// no write path can skip it. The canonical text is documented in HashChain (which verifiers use) and in
    /// docs/event-store.md; jsonb's text output is canonical (keys sorted by length then bytes, one space after
    /// separators), so the hash does not depend on how the writer ordered its JSON.
    /// </summary>
    public static string Ddl(string schema) => $$"""
        CREATE TABLE IF NOT EXISTS {{schema}}.schema_info (
            component text PRIMARY KEY,
            version int NOT NULL,
            migrated_at timestamptz NOT NULL DEFAULT now());

        CREATE TABLE IF NOT EXISTS {{schema}}.event_chain (
            seq_id bigint PRIMARY KEY,
            stream_id text NOT NULL,
            version bigint NOT NULL,
            event_id uuid NOT NULL,
            previous_hash bytea,
            hash bytea NOT NULL,
            CONSTRAINT {{EventIdConstraint}} UNIQUE (event_id),
            CONSTRAINT event_chain_stream_version_key UNIQUE (stream_id, version));

        CREATE OR REPLACE FUNCTION {{schema}}.chain_event() RETURNS trigger
        LANGUAGE plpgsql AS $fn$
        DECLARE
            v_previous bytea;
        BEGIN
            -- The previous event of the stream is in the table already: earlier rows of the same statement are visible
            -- to a row trigger, and Marten's version check makes one appender per stream version win.
            SELECT c.hash INTO v_previous FROM {{schema}}.event_chain c WHERE c.stream_id = NEW.stream_id AND c.version = NEW.version - 1;
            INSERT INTO {{schema}}.event_chain (seq_id, stream_id, version, event_id, previous_hash, hash)
            VALUES (NEW.seq_id, NEW.stream_id, NEW.version, NEW.id, v_previous, sha256(convert_to(
                'spasm-event-v2' || E'\n' || NEW.stream_id || E'\n' || NEW.version::text || E'\n' || NEW.id::text || E'\n'
                || NEW.type || E'\n' || (extract(epoch FROM NEW.timestamp) * 1000000)::bigint::text || E'\n'
                || NEW.data::text || E'\n'
                || jsonb_strip_nulls(jsonb_build_object(
                       'causation_id', NEW.causation_id, 'correlation_id', NEW.correlation_id,
                       'headers', NEW.headers, 'user_name', NEW.user_name))::text || E'\n'
                || coalesce(encode(v_previous, 'hex'), ''), 'UTF8')));
            RETURN NEW;
        END
        $fn$;

        CREATE OR REPLACE TRIGGER chain_event BEFORE INSERT ON {{schema}}.mt_events
            FOR EACH ROW EXECUTE FUNCTION {{schema}}.chain_event();

        CREATE TABLE IF NOT EXISTS {{schema}}.outbox (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            message_id uuid NOT NULL UNIQUE,
            stream_id text,
            message_type text NOT NULL,
            body jsonb NOT NULL,
            headers jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            sent_at timestamptz,
            attempts int NOT NULL DEFAULT 0,
            last_error text);

        CREATE INDEX IF NOT EXISTS outbox_unsent ON {{schema}}.outbox (id) WHERE sent_at IS NULL;

        CREATE TABLE IF NOT EXISTS {{schema}}.inbox (
            consumer text NOT NULL,
            message_id uuid NOT NULL,
            processed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            PRIMARY KEY (consumer, message_id));

        -- GREATEST: an older build starting against a newer schema must not record a version it did not bring.
        INSERT INTO {{schema}}.schema_info AS si (component, version) VALUES ('event_store', {{Version}})
            ON CONFLICT (component) DO UPDATE SET version = GREATEST(si.version, EXCLUDED.version), migrated_at = now();
        """;

    /// <summary>
    /// Creates or updates Marten's tables, then ours; safe at every start-up and from several processes at once (one
    /// migrator at a time per schema: concurrent CREATE ... IF NOT EXISTS can still collide on the catalog).
    /// </summary>
    public static async Task EnsureAsync(IDocumentStore store, NpgsqlDataSource dataSource, string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext($1))", connection))
        {
            lockCommand.Parameters.AddWithValue($"spasm-event-store:{schema}");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await using (var create = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {schema}", connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var recorded = await RecordedVersionAsync(connection, schema, cancellationToken).ConfigureAwait(false);
            if (recorded is > 0 and < FirstMartenVersion)
            {
                // Versions 1 and 2 were the home-made store before Marten (its own streams/events tables and append
                // function). There was never production data in it, so nothing migrates it: say so rather than run
                // beside it.
                throw new InvalidOperationException(
                    $"Schema '{schema}' holds the event store from before Marten (layout version {recorded}); it is not migrated. " +
                    $"Drop it (development data only: ./spasm psql -c 'DROP SCHEMA {schema} CASCADE') and start again.");
            }

            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync(AutoCreate.CreateOrUpdate).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            // Already current: replacing the trigger under running appends (another instance, this one's consumers)
            // would only risk deadlocks for nothing.
            var statements = recorded >= Version ? tables : [Ddl(schema), .. tables];
            foreach (var statement in statements)
            {
                await using var ddl = new NpgsqlCommand(statement, connection, transaction);
                await ddl.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtext($1))", connection);
            unlock.Parameters.AddWithValue($"spasm-event-store:{schema}");
            await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<int?> RecordedVersionAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT CASE WHEN to_regclass('{schema}.schema_info') IS NULL THEN NULL ELSE 1 END", connection);
        if (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is DBNull or null)
        {
            return null;
        }

        await using var version = new NpgsqlCommand($"SELECT version FROM {schema}.schema_info WHERE component = 'event_store'", connection);
        return await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int value ? value : null;
    }
}
