-- bench/audit/seed.sql: copies one real assessment stream (its two events, as the service wrote them) into :count
-- new assessment streams, written into Marten's own tables (mt_streams, mt_events) so that the store's chain_event
-- trigger hashes every copy as it would a real append: each copy has its own ids and a valid hash chain.
-- psql -v schema=assessment -v source=<stream id> -v count=100000 -f seed.sql
\set ON_ERROR_STOP on
SELECT set_config('bench.schema', :'schema', false), set_config('bench.source', :'source', false), set_config('bench.count', :'count', false);
DO $$
DECLARE
    v_schema text := current_setting('bench.schema');
    v_source text := current_setting('bench.source');
    v_count int := current_setting('bench.count')::int;
    v_id text;
    i int;
BEGIN
    EXECUTE format('SELECT 1 FROM %I.mt_events WHERE stream_id = $1 AND version = 2', v_schema) USING v_source;
    GET DIAGNOSTICS i = ROW_COUNT;
    IF i = 0 THEN
        RAISE EXCEPTION 'source stream % not found', v_source;
    END IF;
    FOR i IN 1 .. v_count LOOP
        v_id := gen_random_uuid()::text;
        EXECUTE format('INSERT INTO %I.mt_streams (id, version, timestamp, created) VALUES ($1, 2, now(), now())', v_schema)
            USING 'assessment-' || v_id;
        -- ORDER BY version: the trigger finds version 1's hash when it chains version 2.
        EXECUTE format(
            'INSERT INTO %1$I.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type, correlation_id, causation_id, headers, user_name)
             SELECT nextval(%2$L), gen_random_uuid(), $1, version, jsonb_set(data, ''{assessment_id}'', to_jsonb($2)), type, clock_timestamp(),
                    mt_dotnet_type, correlation_id, causation_id, headers, user_name
             FROM %1$I.mt_events WHERE stream_id = $3 AND version <= 2 ORDER BY version',
            v_schema, v_schema || '.mt_events_sequence')
            USING 'assessment-' || v_id, v_id, v_source;
        IF i % 2000 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
$$;
