-- bench/eventstore/profile: a proposed append_events, measured by profile.sh next to the deployed one.
-- Now applied, with comments, as schema version 2 in EventStoreSchema.cs; kept as the measured text. At the time: NOT used by the store. Same arguments, result columns, hash chain and error codes as
-- services/BuildingBlocks/SpasmPlatform.EventStore/Schema/EventStoreSchema.cs, with four changes:
--   1. SET plan_cache_mode = force_generic_plan: the id check's "event_id = ANY (p_ids)" is estimated at about 8 as
--      a custom plan for one id but 5-10 times that as the generic plan (which assumes 10 ids), so the plan cache never
--      settles on the generic plan and plans that statement again on every append of a few events.
--   2. The id check (N probes of the event_id index) runs only where a stored id is possible without an error: when
--      the stream is past the expected version (a retry of a committed append always lands there) or the caller
--      expects "any". Elsewhere a reused id fails on the events_event_id_key unique index (SQLSTATE 23505), which
--      EventStoreSession.AppendAsync would map to EventIdConflictException like SP002.
--   3. The hashes are chained in the loop (simple expressions), then all rows go in with ONE
--      INSERT ... SELECT FROM unnest(...) WITH ORDINALITY ... RETURNING, instead of one INSERT statement per event.
--   4. One row of OUT parameters (RETURNS record) instead of RETURNS TABLE + RETURN QUERY: no extra statement and
--      no tuplestore per call. "SELECT new_version, positions, duplicate, recorded_at FROM append_events(...)", as
--      EventStoreSession sends it, reads it unchanged. (Replacing a function's result type needs a DROP FUNCTION
--      first: CREATE OR REPLACE cannot change it.)
-- profile.sh replaces SCHEMA, FUNCTION_NAME and EVENTS_TABLE.
CREATE OR REPLACE FUNCTION SCHEMA.FUNCTION_NAME(
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
    SELECT s.version, s.last_hash INTO v_current, v_prev FROM SCHEMA.streams s WHERE s.stream_id = p_stream FOR UPDATE;
    v_found := FOUND;
    -- Only a stream that moved past the expected version (or "any") can already hold these ids: a retried append.
    IF p_expected = -2 OR (v_found AND (p_expected = -1 OR p_expected <> v_current)) THEN
        SELECT count(*) INTO v_existing FROM SCHEMA.events e WHERE e.event_id = ANY (p_ids);
        IF v_existing > 0 THEN
            IF v_existing = v_count AND NOT EXISTS (
                SELECT 1 FROM SCHEMA.events e WHERE e.event_id = ANY (p_ids) AND e.stream_id <> p_stream) THEN
                SELECT max(e.stream_version), array_agg(e.global_position ORDER BY e.stream_version), true, min(e.recorded_at)
                    INTO new_version, positions, duplicate, recorded_at
                    FROM SCHEMA.events e WHERE e.event_id = ANY (p_ids);
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
        INSERT INTO SCHEMA.streams (stream_id, stream_type, version, last_hash, created_at, updated_at)
            VALUES (p_stream, p_stream_type, 0, NULL, v_now, v_now) ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        IF v_rows = 0 THEN
            RAISE EXCEPTION 'stream % was created concurrently', p_stream USING ERRCODE = 'SP001';
        END IF;
        v_current := 0;
    ELSIF p_expected = -1 OR (p_expected >= 0 AND p_expected <> v_current) THEN
        RAISE EXCEPTION 'stream % is at version %, expected %', p_stream, v_current, p_expected USING ERRCODE = 'SP001';
    END IF;

    FOR i IN 1 .. v_count LOOP
        v_prevs[i] := v_prev;
        v_prev := sha256(convert_to(
            'spasm-event-v1' || E'\n' || p_stream || E'\n' || (v_current + i)::text || E'\n' || p_ids[i]::text || E'\n'
            || p_types[i] || E'\n' || p_schema_versions[i]::text || E'\n' || v_us::text || E'\n'
            || p_data[i]::text || E'\n' || p_metadata[i]::text || E'\n' || coalesce(encode(v_prev, 'hex'), ''), 'UTF8'));
        v_hashes[i] := v_prev;
    END LOOP;

    WITH inserted AS (
        INSERT INTO SCHEMA.EVENTS_TABLE (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, previous_hash, hash)
        SELECT p_stream, v_current + u.n, u.id, u.t, u.sv, u.d, u.m, v_now, u.ph, u.h
        FROM unnest(p_ids, p_types, p_schema_versions, p_data, p_metadata, v_prevs, v_hashes) WITH ORDINALITY AS u(id, t, sv, d, m, ph, h, n)
        ORDER BY u.n
        RETURNING global_position, stream_version)
    SELECT array_agg(i.global_position ORDER BY i.stream_version) INTO positions FROM inserted i;

    UPDATE SCHEMA.streams SET version = v_current + v_count, last_hash = v_prev, updated_at = v_now WHERE stream_id = p_stream;
    new_version := v_current + v_count;
    duplicate := false;
    recorded_at := v_now;
END
$fn$;
