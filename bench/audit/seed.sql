-- bench/audit/seed.sql: copies one real assessment stream (its two events, as the service wrote them) into :count
-- new assessment streams through the store's own append_events, so every copy has its own ids and a valid hash chain.
-- psql -v schema=assessment -v source=<stream id> -v count=100000 -f seed.sql
\set ON_ERROR_STOP on
SELECT set_config('bench.schema', :'schema', false), set_config('bench.source', :'source', false), set_config('bench.count', :'count', false);
DO $$
DECLARE
    v_schema text := current_setting('bench.schema');
    v_source text := current_setting('bench.source');
    v_count int := current_setting('bench.count')::int;
    v_types text[];
    v_data jsonb[];
    v_meta jsonb[];
    v_id uuid;
    i int;
BEGIN
    EXECUTE format('SELECT array_agg(event_type ORDER BY stream_version), array_agg(data ORDER BY stream_version), array_agg(metadata ORDER BY stream_version)
                    FROM %I.events WHERE stream_id = $1 AND stream_version <= 2', v_schema)
        INTO v_types, v_data, v_meta USING v_source;
    IF v_types IS NULL THEN
        RAISE EXCEPTION 'source stream % not found', v_source;
    END IF;
    FOR i IN 1 .. v_count LOOP
        v_id := gen_random_uuid();
        EXECUTE format('SELECT %I.append_events($1, $2, -1, $3, $4, $5, $6, $7)', v_schema)
            USING 'assessment-' || v_id, 'assessment', ARRAY[gen_random_uuid(), gen_random_uuid()], v_types, ARRAY[1, 1],
                  ARRAY[jsonb_set(v_data[1], '{assessment_id}', to_jsonb(v_id::text)), jsonb_set(v_data[2], '{assessment_id}', to_jsonb(v_id::text))],
                  v_meta;
        IF i % 2000 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
$$;
