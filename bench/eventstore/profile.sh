#!/usr/bin/env bash
# bench/eventstore/profile.sh - where the server's time goes inside append_events. Run by hand only:
#
#   bash bench/eventstore/profile.sh
#
# Creates a fresh schema with the store's own DDL (EventStoreBench --setup-only), then builds variants of the
# deployed append_events function from its own text (pg_get_functiondef), each with one part removed or changed,
# plus the proposal in profile/append_events_proposed.sql. Every variant is called in a PL/pgSQL loop that
# COMMITs after each call (so per-transaction costs count, as with a real client) with an exact expected version,
# 16 streams round robin, the bench's real payload. The backend's own CPU (utime + stime from /proc/self/stat,
# read with pg_read_file: needs a superuser, as ./spasm's role is) is divided by the events written. CPU per
# event hardly moves with other load on the machine, unlike wall time, which is also shown. No client, no network:
# this isolates the function. Writes bench/eventstore/profile.md. Knobs:
#
#   SPASM_POSTGRES=...        connection string (default: the ./spasm cluster)
#   ROUNDS=5                  rounds; variants interleaved inside each round
#   SESSIONS="1 8"            concurrent backends running the same loop (each on streams of its own)
#   BATCHES="1 10 100"        events per call
#   EVENTS=5000               events per measured loop for 1 event per call (CPU is counted in 10 ms ticks)
#   EVENTS_BATCHED=20000      events per measured loop for larger batches
#   VARIANTS="current generic no-id-check no-hash no-fk proposed proposed-no-fk floor-fk floor"
#   KEEP_SCHEMA=1             keep the schema afterwards
#   SKIP_BUILD=1              reuse the last build of EventStoreBench
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/out"
PROFILE_RESULTS="${PROFILE_RESULTS:-$HERE/profile.md}"
export SPASM_POSTGRES="${SPASM_POSTGRES:-Host=127.0.0.1;Port=55432;Username=spasm;Password=spasm;Database=spasm}"
ROUNDS="${ROUNDS:-5}"
SESSIONS="${SESSIONS:-1 8}"
BATCHES="${BATCHES:-1 10 100}"
EVENTS="${EVENTS:-5000}"
EVENTS_BATCHED="${EVENTS_BATCHED:-20000}"
VARIANTS="${VARIANTS:-current generic no-id-check no-hash no-fk proposed proposed-no-fk floor-fk floor}"
KEEP_SCHEMA="${KEEP_SCHEMA:-0}"
SKIP_BUILD="${SKIP_BUILD:-0}"

log() { printf '[profile %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v psql >/dev/null || die "psql not found (apt-get install postgresql-client)"
command -v perl >/dev/null || die "perl not found"
setting() { sed -n "s/.*$1=\([^;]*\).*/\1/Ip" <<< "$SPASM_POSTGRES"; }
PGHOST="$(setting Host)"; PGPORT="$(setting Port)"; PGUSER="$(setting Username)"; PGPASSWORD="$(setting Password)"; PGDATABASE="$(setting Database)"
export PGHOST PGPORT PGUSER PGPASSWORD PGDATABASE
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
mkdir -p "$OUT"

[[ "$("${PSQL[@]}" -Atc "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")" == t ]] \
    || die "the role must be a superuser to read /proc/self/stat through pg_read_file"

if [[ "$SKIP_BUILD" != 1 ]]; then
    dotnet build -c Release "$HERE/EventStoreBench.csproj" -nologo -v q > "$OUT/build.log" 2>&1 \
        || { cat "$OUT/build.log" >&2; die "build failed"; }
fi
S="$(dotnet "$HERE/bin/Release/net10.0/EventStoreBench.dll" --setup-only 2> "$OUT/profile-setup.log" | tail -n 1)"
[[ "$S" =~ ^esbench_[0-9_]+$ ]] || { cat "$OUT/profile-setup.log" >&2; die "setup did not print a schema name"; }
log "schema $S"
cleanup() {
    if [[ "$KEEP_SCHEMA" == 1 ]]; then log "kept schema $S"; else "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $S CASCADE" || true; fi
}
trap cleanup EXIT

# The sample event the store wrote (its canonical jsonb), a table like events without the foreign key,
# and one pre-existing stream per loop for the plain-INSERT floors.
"${PSQL[@]}" <<SQL
CREATE TABLE $S.payload AS SELECT data AS d, metadata AS m FROM $S.events LIMIT 1;
CREATE TABLE $S.events_nofk (LIKE $S.events INCLUDING ALL);
SQL

# ---------------------------------------------------------------------------------------------- variants
current="$("${PSQL[@]}" -Atc "SELECT pg_get_functiondef('$S.append_events'::regproc)")"
make_variant() {  # make_variant NAME PERL-SUBSTITUTIONS...: the deployed text, renamed, with each s/// applied (each must match)
    local name="$1" text
    shift
    text="$(perl -0pe "s/FUNCTION \Q$S\E\.append_events\(/FUNCTION $S.$name(/" <<< "$current")"
    local sub
    for sub in "$@"; do
        local changed
        changed="$(perl -0pe "$sub" <<< "$text")"
        [[ "$changed" != "$text" ]] || die "variant $name: '$sub' did not match the deployed function; update profile.sh"
        text="$changed"
    done
    "${PSQL[@]}" <<< "$text;"
}
make_variant v_generic 's/^ LANGUAGE plpgsql$/ LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan/m'
make_variant v_no_id_check 's/SELECT count\(\*\) INTO v_existing FROM [^;]*;/v_existing := 0;/'
make_variant v_no_hash "s/v_hash := sha256\\(convert_to\\(.*?'UTF8'\\)\\);/v_hash := '\\\\x00'::bytea;/s"
make_variant v_no_fk "s/INSERT INTO \\Q$S\\E\\.events \\(/INSERT INTO $S.events_nofk (/"
for target in events events_nofk; do
    name=v_proposed; [[ "$target" == events_nofk ]] && name=v_proposed_no_fk
    sed -e "s/SCHEMA\./$S./g" -e "s/FUNCTION_NAME/$name/" -e "s/EVENTS_TABLE/$target/" "$HERE/profile/append_events_proposed.sql" | "${PSQL[@]}"
done

declare -A FN=([current]=append_events [generic]=v_generic [no-id-check]=v_no_id_check [no-hash]=v_no_hash
               [no-fk]=v_no_fk [proposed]=v_proposed [proposed-no-fk]=v_proposed_no_fk)
declare -A TABLE=([floor-fk]=events [floor]=events_nofk)
declare -A WHAT=(
    [current]="append_events as deployed (EventStoreSchema.cs)"
    [generic]="deployed + SET plan_cache_mode = force_generic_plan"
    [no-id-check]="deployed without the idempotency count(*) (attribution only, not a valid design)"
    [no-hash]="deployed with a constant hash (attribution only)"
    [no-fk]="deployed, into a copy of events without the FK to streams (attribution)"
    [proposed]="profile/append_events_proposed.sql"
    [proposed-no-fk]="the proposal, into the copy without the FK"
    [floor-fk]="plain INSERT ... SELECT into events (FK kept), constant hash, no function"
    [floor]="plain INSERT ... SELECT into the copy without the FK, constant hash, no function"
)

# ------------------------------------------------------------------------------------------- correctness
# The proposal must write the same chain (recomputed in SQL exactly as HashChain.cs does) and keep retries idempotent.
"${PSQL[@]}" <<SQL
DO \$\$
DECLARE ids uuid[] := ARRAY[gen_random_uuid(), gen_random_uuid()]; d jsonb; m jsonb; r record; bad int;
BEGIN
  SELECT p.d, p.m INTO d, m FROM $S.payload p;
  PERFORM * FROM $S.v_proposed('check', 'assessment', 0, ARRAY[gen_random_uuid(), gen_random_uuid(), gen_random_uuid()],
    array_fill('t'::text, ARRAY[3]), array_fill(1, ARRAY[3]), array_fill(d, ARRAY[3]), array_fill(m, ARRAY[3]));
  SELECT * INTO r FROM $S.v_proposed('check', 'assessment', 3, ids, array_fill('t'::text, ARRAY[2]), array_fill(1, ARRAY[2]), array_fill(d, ARRAY[2]), array_fill(m, ARRAY[2]));
  IF r.new_version <> 5 OR r.duplicate OR cardinality(r.positions) <> 2 THEN RAISE EXCEPTION 'proposal: append answered %', r; END IF;
  SELECT * INTO r FROM $S.v_proposed('check', 'assessment', 3, ids, array_fill('t'::text, ARRAY[2]), array_fill(1, ARRAY[2]), array_fill(d, ARRAY[2]), array_fill(m, ARRAY[2]));
  IF r.new_version <> 5 OR NOT r.duplicate THEN RAISE EXCEPTION 'proposal: a retry was not recognised: %', r; END IF;
  SELECT count(*) INTO bad FROM (
    SELECT e.hash <> sha256(convert_to('spasm-event-v1' || E'\n' || e.stream_id || E'\n' || e.stream_version::text || E'\n'
        || e.event_id::text || E'\n' || e.event_type || E'\n' || e.schema_version::text || E'\n'
        || ((extract(epoch FROM e.recorded_at) * 1000000)::bigint)::text || E'\n' || e.data::text || E'\n' || e.metadata::text
        || E'\n' || coalesce(encode(e.previous_hash, 'hex'), ''), 'UTF8'))
      OR e.previous_hash IS DISTINCT FROM lag(e.hash) OVER (ORDER BY e.stream_version) AS broken
    FROM $S.events e WHERE e.stream_id = 'check') x WHERE broken;
  IF bad > 0 THEN RAISE EXCEPTION 'proposal: % events break the hash chain', bad; END IF;
  IF (SELECT version FROM $S.streams WHERE stream_id = 'check') <> 5 THEN RAISE EXCEPTION 'proposal: stream version'; END IF;
END \$\$;
SQL
log "proposal: hash chain and retry checks pass"

# ------------------------------------------------------------------------------------------- measurement
loop_block() {  # loop_block VARIANT BATCH ROUND CALLS SESSIONS SESSION: one DO block, printing a PROFILE notice
    local variant="$1" batch="$2" round="$3" calls="$4" sessions="$5" session="$6"
    local tag="p${round}_${variant//-/_}_${batch}_${sessions}_$session" call
    if [[ -n "${FN[$variant]:-}" ]]; then
        call="PERFORM * FROM $S.${FN[$variant]}('$tag-' || k, 'assessment', v[k], (SELECT array_agg(gen_random_uuid()) FROM generate_series(1, $batch)),
              array_fill('assessment.answer_recorded'::text, ARRAY[$batch]), array_fill(1, ARRAY[$batch]), array_fill(d, ARRAY[$batch]), array_fill(m, ARRAY[$batch]));"
    else
        call="INSERT INTO $S.${TABLE[$variant]} (stream_id, stream_version, event_id, event_type, schema_version, data, metadata, recorded_at, previous_hash, hash)
              SELECT '$tag-' || k, v[k] + g, gen_random_uuid(), 'assessment.answer_recorded', 1, d, m, clock_timestamp(), h, h FROM generate_series(1, $batch) g;"
    fi
    cat <<SQL
DO \$\$
DECLARE d jsonb; m jsonb; h bytea := decode(repeat('ab', 32), 'hex'); v bigint[] := array_fill(0::bigint, ARRAY[16]); k int;
        st text; c0 bigint; c1 bigint; t0 timestamptz; warm int := greatest(20, $calls / 10);
BEGIN
  SELECT p.d, p.m INTO d, m FROM $S.payload p;
  INSERT INTO $S.streams SELECT '$tag-' || g, 'assessment', 0, NULL, now(), now() FROM generate_series(1, 16) g WHERE '${TABLE[$variant]:-}' <> '';
  FOR i IN 1 .. warm + $calls LOOP
    IF i = warm + 1 THEN
      st := split_part(pg_read_file('/proc/self/stat'), ') ', 2);
      c0 := split_part(st, ' ', 12)::bigint + split_part(st, ' ', 13)::bigint;
      t0 := clock_timestamp();
    END IF;
    k := i % 16 + 1;
    $call
    v[k] := v[k] + $batch;
    COMMIT;
  END LOOP;
  st := split_part(pg_read_file('/proc/self/stat'), ') ', 2);
  c1 := split_part(st, ' ', 12)::bigint + split_part(st, ' ', 13)::bigint;
  RAISE NOTICE 'PROFILE	$variant	$batch	$round	$sessions	%	%	%', c1 - c0, $calls * $batch,
    round(extract(epoch FROM clock_timestamp() - t0)::numeric, 4);
END \$\$;
SQL
}

# One measurement: SESSIONS backends run the same loop at once, each on streams of its own; their CPU is summed.
measure() {  # measure VARIANT BATCH ROUND SESSIONS
    local variant="$1" batch="$2" round="$3" sessions="$4" calls session
    calls=$((EVENTS / batch)); ((batch > 1)) && calls=$((EVENTS_BATCHED / batch))
    calls=$((calls / sessions)); ((calls < 20)) && calls=20
    local -a pids=()
    for ((session = 1; session <= sessions; session++)); do
        loop_block "$variant" "$batch" "$round" "$calls" "$sessions" "$session" | "${PSQL[@]}" > "$OUT/profile-session-$session.log" 2>&1 &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || { cat "$OUT"/profile-session-*.log >&2; die "$variant batch $batch failed"; }; done
    sed -n 's/.*NOTICE:  PROFILE\t//p' "$OUT"/profile-session-*.log >> "$OUT/profile.tsv"
    rm -f "$OUT"/profile-session-*.log
}

CLK_TCK="$(getconf CLK_TCK)"
: > "$OUT/profile.tsv"
for ((round = 1; round <= ROUNDS; round++)); do
    for sessions in $SESSIONS; do
        for batch in $BATCHES; do
            for variant in $VARIANTS; do
                [[ -n "${FN[$variant]:-}${TABLE[$variant]:-}" ]] || die "unknown variant $variant"
                measure "$variant" "$batch" "$round" "$sessions"
            done
            log "round $round, $sessions session(s), batch $batch done"
        done
    done
done

# ------------------------------------------------------------------------------------------------ report
plans="$("${PSQL[@]}" <<SQL
PREPARE q(uuid[]) AS SELECT count(*) FROM $S.events e WHERE e.event_id = ANY (\$1);
SET plan_cache_mode = force_custom_plan;
EXPLAIN EXECUTE q(ARRAY[gen_random_uuid()]);
SET plan_cache_mode = force_generic_plan;
EXPLAIN EXECUTE q(ARRAY[gen_random_uuid()]);
SQL
)"
{
    echo "# bench/eventstore profile: server CPU inside append_events"
    echo
    echo "Generated by \`bench/eventstore/profile.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown);"
    echo "PostgreSQL $("${PSQL[@]}" -Atc 'SHOW server_version'), fsync=$("${PSQL[@]}" -Atc 'SHOW fsync'), synchronous_commit=$("${PSQL[@]}" -Atc 'SHOW synchronous_commit'); $ROUNDS rounds, variants interleaved."
    echo "Each figure: the backends' CPU (utime+stime, summed over the concurrent sessions) ÷ events, for PL/pgSQL loops of calls with a"
    echo "COMMIT after each, exact expected versions, 16 streams per session, the bench's payload; no client or network. Min = least"
    echo "disturbed round; median over rounds. Wall µs/event = the slowest session's time ÷ all events; it includes waiting for the WAL"
    echo "flush at each COMMIT and for the CPU when other processes run, so it moves with the machine's other load and CPU does not."
    echo
    echo "| sessions | events/call | variant | what | CPU µs/event min | CPU µs/event median | vs current (median) | wall µs/event median |"
    echo "|---:|---:|---|---|---:|---:|---:|---:|"
    # Per round: CPU of all sessions ÷ their events; wall = the slowest session's time ÷ all events (1 ÷ throughput).
    awk -F'\t' -v hz="$CLK_TCK" '{ k = $1 "\t" $2 "\t" $3 "\t" $4; t[k] += $5; e[k] += $6; if ($7 > w[k]) w[k] = $7 }
        END { for (k in t) printf "%s\t%.2f\t%.2f\n", k, t[k] * 1e6 / hz / e[k], w[k] * 1e6 / e[k] }' "$OUT/profile.tsv" > "$OUT/profile-rounds.tsv"
    for sessions in $SESSIONS; do
        for batch in $BATCHES; do
            base="$(awk -F'\t' -v b="$batch" -v s="$sessions" '$1 == "current" && $2 == b && $4 == s { print $5 }' "$OUT/profile-rounds.tsv" \
                | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')"
            for variant in $VARIANTS; do
                awk -F'\t' -v v="$variant" -v b="$batch" -v s="$sessions" -v base="$base" -v what="${WHAT[$variant]}" '
                    $1 == v && $2 == b && $4 == s { n++; c[n] = $5 + 0; w[n] = $6 + 0 }
                    function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                        return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
                    END { if (n == 0) exit; mc = med(c, n); mw = med(w, n)
                        printf "| %s | %s | %s | %s | %.1f | %.1f | %s | %.1f |\n", s, b, v, what, c[1], mc, (base > 0) ? sprintf("%.2f×", mc / base) : "-", mw }' "$OUT/profile-rounds.tsv"
            done
        done
    done
    echo
    echo "The idempotency check's plan as a custom plan (one id) and as the generic plan the plan cache compares it with:"
    echo
    echo '```'
    echo "$plans"
    echo '```'
    echo
    echo "Every session of every round: \`bench/eventstore/out/profile.tsv\` (variant, batch, round, sessions, CPU ticks, events, seconds)."
} > "$PROFILE_RESULTS"
log "wrote $PROFILE_RESULTS"
cat "$PROFILE_RESULTS"
