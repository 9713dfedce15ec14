using Npgsql;

namespace SpasmPlatform.EventStore.Schema;

/// <summary>
/// The tables and the append function, created idempotently in the service's own schema at start-up.
/// Everything is described here, in one place, so the storage layout can be read at a glance.
/// </summary>
internal static class EventStoreSchema
{
    /// <summary>Bumped when the layout changes; kept in schema_info so a migration knows where it starts.</summary>
    public const int Version = 2;

    public static string Ddl(string schema) => $$"""
        CREATE SCHEMA IF NOT EXISTS {{schema}};

        CREATE TABLE IF NOT EXISTS {{schema}}.schema_info (
            component text PRIMARY KEY,
            version int NOT NULL,
            migrated_at timestamptz NOT NULL DEFAULT now());

        CREATE TABLE IF NOT EXISTS {{schema}}.streams (
            stream_id text PRIMARY KEY,
            stream_type text NOT NULL,
            version bigint NOT NULL,
            last_hash bytea,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL);

        CREATE TABLE IF NOT EXISTS {{schema}}.events (
            global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            stream_id text NOT NULL REFERENCES {{schema}}.streams (stream_id),
            stream_version bigint NOT NULL,
            event_id uuid NOT NULL UNIQUE,
            event_type text NOT NULL,
            schema_version int NOT NULL,
            data jsonb NOT NULL,
            metadata jsonb NOT NULL,
            recorded_at timestamptz NOT NULL,
            -- The writing transaction: asynchronous readers use it to never pass a transaction still in flight.
            tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
            previous_hash bytea,
            hash bytea NOT NULL,
            UNIQUE (stream_id, stream_version));

        CREATE INDEX IF NOT EXISTS events_recorded_at ON {{schema}}.events (stream_id, recorded_at);

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

        CREATE TABLE IF NOT EXISTS {{schema}}.projection_checkpoints (
            name text PRIMARY KEY,
            position bigint NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT clock_timestamp());

        -- v1 declared append_events RETURNS TABLE (a set-returning function) and CREATE OR REPLACE cannot change a
        -- result type, so that one version is dropped first. Only that one: dropping at every start-up would give the
        -- function a new identity each time under the feet of running appends. All of this commits as one transaction
        -- under the migrators' advisory lock, so no session ever sees the schema without the function.
        DO $mig$
        BEGIN
            IF EXISTS (SELECT 1 FROM pg_proc
                       WHERE oid = to_regprocedure('{{schema}}.append_events(text, text, bigint, uuid[], text[], integer[], jsonb[], jsonb[])')
                         AND proretset) THEN
                DROP FUNCTION {{schema}}.append_events(text, text, bigint, uuid[], text[], integer[], jsonb[], jsonb[]);
            END IF;
        END
        $mig$;

        -- Appends one or more events to a stream in the caller's transaction, in one round trip.
        -- Expected version: -2 any, -1 the stream must not exist, n >= 0 exactly n (0 = must not exist).
        -- Re-sending events whose ids are all stored (a retry after a lost reply) writes nothing and reports them.
        -- Each event's hash is SHA-256 over its canonical text (see HashChain.cs) including the previous hash.
        -- force_generic_plan: "event_id = ANY (p_ids)" costs far less as a custom plan for one id than as the generic
        -- plan (which assumes 10 ids), so without it the plan cache never adopts the generic plan and re-plans that
        -- statement on every small append (bench/eventstore/profile.md).
        CREATE OR REPLACE FUNCTION {{schema}}.append_events(
            p_stream text, p_stream_type text, p_expected bigint,
            p_ids uuid[], p_types text[], p_schema_versions int[], p_data jsonb[], p_metadata jsonb[],
            OUT new_version bigint, OUT positions bigint[], OUT duplicate boolean, OUT recorded_at timestamptz)
        LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
        DECLARE
            v_count int := cardinality(p_ids);
            v_existing int;
            v_current bigint;
            v_prev bytea;
            v_prevs bytea[];
            v_hashes bytea[];
            v_now timestamptz := date_trunc('microseconds', clock_timestamp());
            v_us bigint := (extract(epoch FROM v_now) * 1000000)::bigint;
            v_rows int;
            v_found boolean;
        BEGIN
            -- unnest pads shorter arrays with NULLs: events with missing parts must be refused, not stored.
            IF v_count IS NULL OR v_count = 0 OR cardinality(p_types) IS DISTINCT FROM v_count OR cardinality(p_schema_versions) IS DISTINCT FROM v_count
               OR cardinality(p_data) IS DISTINCT FROM v_count OR cardinality(p_metadata) IS DISTINCT FROM v_count THEN
                RAISE EXCEPTION 'append_events needs one id, type, schema version, data and metadata per event' USING ERRCODE = '22023';
            END IF;
            SELECT s.version, s.last_hash INTO v_current, v_prev FROM {{schema}}.streams s WHERE s.stream_id = p_stream FOR UPDATE;
            v_found := FOUND;
            -- A stored id is only possible without an error where the stream moved past the expected version (a retry
            -- of a committed append always lands there) or the caller expects "any". Everywhere else a reused id fails
            -- on the event_id unique index (23505), which EventStoreSession maps to EventIdConflictException, so the
            -- probe of that index for every id is skipped on the common path.
            IF p_expected = -2 OR (v_found AND (p_expected = -1 OR p_expected <> v_current)) THEN
                SELECT count(*) INTO v_existing FROM {{schema}}.events e WHERE e.event_id = ANY (p_ids);
                IF v_existing > 0 THEN
                    IF v_existing = v_count AND NOT EXISTS (
                        SELECT 1 FROM {{schema}}.events e WHERE e.event_id = ANY (p_ids) AND e.stream_id <> p_stream) THEN
                        SELECT max(e.stream_version), array_agg(e.global_position ORDER BY e.stream_version), true, min(e.recorded_at)
                            INTO new_version, positions, duplicate, recorded_at
                            FROM {{schema}}.events e WHERE e.event_id = ANY (p_ids);
                        RETURN;
                    END IF;
                    RAISE EXCEPTION 'some of these event ids are already stored, others are not (or in another stream)'
                        USING ERRCODE = 'SP002';
                END IF;
            END IF;

            IF NOT v_found THEN
                IF p_expected > 0 THEN
                    RAISE EXCEPTION 'stream % does not exist, expected version %', p_stream, p_expected USING ERRCODE = 'SP001';
                END IF;
                INSERT INTO {{schema}}.streams (stream_id, stream_type, version, last_hash, created_at, updated_at)
                    VALUES (p_stream, p_stream_type, 0, NULL, v_now, v_now) ON CONFLICT DO NOTHING;
                GET DIAGNOSTICS v_rows = ROW_COUNT;
                IF v_rows = 0 THEN
                    -- Another transaction created it first: whoever expected "new" lost the race.
                    RAISE EXCEPTION 'stream % was created concurrently', p_stream USING ERRCODE = 'SP001';
                END IF;
                v_current := 0;
            ELSIF p_expected = -1 OR (p_expected >= 0 AND p_expected <> v_current) THEN
                RAISE EXCEPTION 'stream % is at version %, expected %', p_stream, v_current, p_expected USING ERRCODE = 'SP001';
            END IF;

            -- The chain is computed first with plain expressions so that every row goes in with one INSERT below
            -- instead of one statement per event.
            FOR i IN 1 .. v_count LOOP
                v_prevs[i] := v_prev;
                v_prev := sha256(convert_to(
                    'spasm-event-v1' || E'\n' || p_stream || E'\n' || (v_current + i)::text || E'\n' || p_ids[i]::text || E'\n'
                    || p_types[i] || E'\n' || p_schema_versions[i]::text || E'\n' || v_us::text || E'\n'
                    || p_data[i]::text || E'\n' || p_metadata[i]::text || E'\n' || coalesce(encode(v_prev, 'hex'), ''), 'UTF8'));
                v_hashes[i] := v_prev;
            END LOOP;

            -- ORDER BY keeps global_position (identity, assigned as rows are produced) rising with stream_version.
            WITH inserted AS (
                INSERT INTO {{schema}}.events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, previous_hash, hash)
                SELECT p_stream, v_current + u.n, u.id, u.t, u.sv, u.d, u.m, v_now, u.ph, u.h
                FROM unnest(p_ids, p_types, p_schema_versions, p_data, p_metadata, v_prevs, v_hashes) WITH ORDINALITY AS u(id, t, sv, d, m, ph, h, n)
                ORDER BY u.n
                RETURNING global_position, stream_version)
            SELECT array_agg(i.global_position ORDER BY i.stream_version) INTO positions FROM inserted i;

            UPDATE {{schema}}.streams SET version = v_current + v_count, last_hash = v_prev, updated_at = v_now WHERE stream_id = p_stream;
            new_version := v_current + v_count;
            duplicate := false;
            recorded_at := v_now;
        END
        $fn$;

        -- GREATEST: an older build starting against a newer schema must not record a version it did not bring.
        INSERT INTO {{schema}}.schema_info AS si (component, version) VALUES ('event_store', {{Version}})
            ON CONFLICT (component) DO UPDATE SET version = GREATEST(si.version, EXCLUDED.version), migrated_at = now();
        """;

    /// <summary>Creates or updates the schema; safe to run at every start-up and from several processes at once.</summary>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, string schema, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Concurrent CREATE ... IF NOT EXISTS can still collide on the catalog; one migrator at a time per schema.
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
