namespace SpasmPlatform.IntegrationTests.EventStore;

/// <summary>
/// The event store schema exactly as version 1 shipped it (EventStoreSchema.cs at commit 92f83ab), to create databases
/// that the current migrator must upgrade in place. Frozen on purpose: it stands for data already in production.
/// </summary>
internal static class EventStoreSchemaV1
{
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

        -- Appends one or more events to a stream in the caller's transaction, in one round trip.
        -- Expected version: -2 any, -1 the stream must not exist, n >= 0 exactly n (0 = must not exist).
        -- Re-sending events whose ids are all stored (a retry after a lost reply) writes nothing and reports them.
        -- Each event's hash is SHA-256 over its canonical text (see HashChain.cs) including the previous hash.
        CREATE OR REPLACE FUNCTION {{schema}}.append_events(
            p_stream text, p_stream_type text, p_expected bigint,
            p_ids uuid[], p_types text[], p_schema_versions int[], p_data jsonb[], p_metadata jsonb[])
        RETURNS TABLE (new_version bigint, positions bigint[], duplicate boolean, recorded_at timestamptz)
        LANGUAGE plpgsql AS $fn$
        DECLARE
            v_count int := cardinality(p_ids);
            v_existing int;
            v_current bigint;
            v_hash bytea;
            v_prev bytea;
            v_now timestamptz := date_trunc('microseconds', clock_timestamp());
            v_us bigint := (extract(epoch FROM v_now) * 1000000)::bigint;
            v_positions bigint[] := ARRAY[]::bigint[];
            v_position bigint;
            v_rows int;
        BEGIN
            SELECT count(*) INTO v_existing FROM {{schema}}.events e WHERE e.event_id = ANY (p_ids);
            IF v_existing > 0 THEN
                IF v_existing = v_count AND NOT EXISTS (
                    SELECT 1 FROM {{schema}}.events e WHERE e.event_id = ANY (p_ids) AND e.stream_id <> p_stream) THEN
                    RETURN QUERY SELECT max(e.stream_version), array_agg(e.global_position ORDER BY e.stream_version), true, min(e.recorded_at)
                        FROM {{schema}}.events e WHERE e.event_id = ANY (p_ids);
                    RETURN;
                END IF;
                RAISE EXCEPTION 'some of these event ids are already stored, others are not (or in another stream)'
                    USING ERRCODE = 'SP002';
            END IF;

            SELECT s.version, s.last_hash INTO v_current, v_prev FROM {{schema}}.streams s WHERE s.stream_id = p_stream FOR UPDATE;
            IF NOT FOUND THEN
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

            FOR i IN 1 .. v_count LOOP
                v_hash := sha256(convert_to(
                    'spasm-event-v1' || E'\n' || p_stream || E'\n' || (v_current + i)::text || E'\n' || p_ids[i]::text || E'\n'
                    || p_types[i] || E'\n' || p_schema_versions[i]::text || E'\n' || v_us::text || E'\n'
                    || p_data[i]::text || E'\n' || p_metadata[i]::text || E'\n' || coalesce(encode(v_prev, 'hex'), ''), 'UTF8'));
                INSERT INTO {{schema}}.events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, previous_hash, hash)
                    VALUES (p_stream, v_current + i, p_ids[i], p_types[i], p_schema_versions[i], p_data[i], p_metadata[i], v_now, v_prev, v_hash)
                    RETURNING global_position INTO v_position;
                v_positions := v_positions || v_position;
                v_prev := v_hash;
            END LOOP;

            UPDATE {{schema}}.streams SET version = v_current + v_count, last_hash = v_prev, updated_at = v_now WHERE stream_id = p_stream;
            RETURN QUERY SELECT v_current + v_count, v_positions, false, v_now;
        END
        $fn$;

        INSERT INTO {{schema}}.schema_info (component, version) VALUES ('event_store', 1)
            ON CONFLICT (component) DO UPDATE SET version = EXCLUDED.version, migrated_at = now();
        """;
}
