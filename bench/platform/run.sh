#!/usr/bin/env bash
# bench/platform/run.sh (also ./spasm bench) - issue 16's load generator: SubmitAssessment closed loop at several
# concurrencies and open loop at a fixed rate with the care-plan service drafting every plan alongside, the reads
# (GetAssessment, ListAssessments, GetDecisionTrace, StreamHistory, VerifyIntegrity), and beside each figure its
# ceiling measured in the same run (raw Npgsql writes of a submission's rows, raw indexed selects, a plain Kestrel
# HTTP/2 endpoint), with the CPU split per process group. Run by hand only, with ./spasm's PostgreSQL and RabbitMQ up:
#
#   ./spasm bench                                     mutual TLS (the default security mode), one instance of each service
#   SPASM_SECURITY=development ./spasm bench          h2c, every caller trusted
#   SPASM_INSTANCES=2 ./spasm bench                   two instances of each service side by side, calls spread over both
#
# TARGET=own (default): starts knowledge, assessment and care-plan from this checkout's Release build on ports of their
#   own (instance i: PORT_BASE+10i+1..3), on schemas bench_<service>_<run> and a RabbitMQ vhost of their own, with the
#   per-caller rate limit off (the load generator is few callers); instances share the schemas and the vhost, as
#   instances of one deployment share one PostgreSQL and one RabbitMQ. Everything is stopped and dropped at the end.
# TARGET=running: measures the platform ./spasm up started (addresses from .spasm/env, schemas assessment and
#   careplan; start it with RateLimiting__Enabled=false). Its database keeps what the bench wrote. ASSESSMENT_ADDRESSES
#   (comma-separated) overrides the address list, e.g. for instances started by hand; ASSESSMENT_SCHEMA and
#   CAREPLAN_SCHEMA their schemas; SERVICE_ROOT the checkout they run from (for the CPU split).
# Over mutual TLS the bench issues itself, from the development CA in .spasm/certs, one clinic-system certificate
# per bench clinic (a certificate names one clinic) and an auditor certificate, into out/certs (git-ignored).
#
# Writes results.md and chart.svg into bench/platform/ (one instance) or bench/platform/instances-N/ (N instances);
# raw output and the services' logs in bench/platform/out/. Knobs:
#   CONCURRENCY="1 16 64"  DURATION=15  WARMUP=3  RATE=500  READ_CONCURRENCY=64  TRACE_CONCURRENCY=8
#   SCENARIOS=submit,open,reads,audit  SEED=50000 (assessment streams copied in before the audit calls; 0: none)
#   RAW_BATCH="1 16" (submissions per transaction in the raw write ceilings, one ceiling each: 1 = a commit per
#   submission; the services group concurrent submissions into one commit, so 16 is the like-for-like ceiling at load)
#   POLL_MS=5 (plan watcher)  DRAIN=60  POOL=20 (Npgsql pool per service instance)  PORT_BASE=5200  CEILING_PORT=5299
#   SPASM=<this checkout>/spasm (whose PostgreSQL, RabbitMQ and certificates to use)  RESULTS_DIR=...  SKIP_BUILD=1
set -euo pipefail

KNOBS=(TARGET SPASM_SECURITY SPASM_INSTANCES CONCURRENCY DURATION WARMUP RATE READ_CONCURRENCY TRACE_CONCURRENCY SCENARIOS SEED
       RAW_BATCH POLL_MS DRAIN POOL PORT_BASE CEILING_PORT ASSESSMENT_ADDRESSES ASSESSMENT_SCHEMA CAREPLAN_SCHEMA)
INVOCATION=""
for knob in "${KNOBS[@]}"; do
  if [[ -n "${!knob+set}" ]]; then INVOCATION+="$knob=$(printf '%q' "${!knob}") "; fi
done
INVOCATION+="./spasm bench"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/out"
TARGET="${TARGET:-own}"
SECURITY="${SPASM_SECURITY:-mtls}"
INSTANCES="${SPASM_INSTANCES:-1}"
CONCURRENCY="${CONCURRENCY:-1 16 64}"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-3}"
RATE="${RATE:-500}"
READ_CONCURRENCY="${READ_CONCURRENCY:-64}"
TRACE_CONCURRENCY="${TRACE_CONCURRENCY:-8}"
SCENARIOS="${SCENARIOS:-submit,open,reads,audit}"
SEED="${SEED:-50000}"
RAW_BATCH="${RAW_BATCH:-1 16}"
POLL_MS="${POLL_MS:-5}"
DRAIN="${DRAIN:-60}"
POOL="${POOL:-20}"
PORT_BASE="${PORT_BASE:-5200}"
CEILING_PORT="${CEILING_PORT:-5299}"
SPASM="${SPASM:-$ROOT/spasm}"
STATE="${SPASM_STATE_DIR:-$(cd "$(dirname "$SPASM")" && pwd)/.spasm}"
if ((INSTANCES == 1)); then RESULTS_DIR="${RESULTS_DIR:-$HERE}"; else RESULTS_DIR="${RESULTS_DIR:-$HERE/instances-$INSTANCES}"; fi
RUN="$(date -u +%m%d%H%M%S)"
VHOST="bench-platform-$RUN"
CERTS="$OUT/certs"
mkdir -p "$OUT" "$RESULTS_DIR"

[[ "$SECURITY" == mtls || "$SECURITY" == development ]] || { echo "SPASM_SECURITY must be mtls or development" >&2; exit 1; }
[[ -f "$STATE/env" ]] || { echo "$STATE/env is missing: start PostgreSQL and RabbitMQ with ./spasm up" >&2; exit 1; }
# shellcheck disable=SC1091
. "$STATE/env"
CLI=(dotnet "$ROOT/services/Tools/SpasmPlatform.Cli/bin/Release/net10.0/spasm-cli.dll")
SCHEME=http
[[ "$SECURITY" == development ]] || SCHEME=https

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  echo "building (Release)..." >&2
  { dotnet build "$ROOT/SpasmPlatform.sln" -c Release -nologo -v quiet &&
    dotnet build "$HERE/PlatformBench" -c Release -nologo -v quiet &&
    dotnet build "$ROOT/bench/grpc/KestrelCeiling" -c Release -nologo -v quiet; } >"$OUT/build.log" 2>&1 ||
    { tail -n 30 "$OUT/build.log" >&2; exit 1; }
fi

if [[ "$SECURITY" == mtls ]]; then
  [[ -f "$STATE/certs/ca-key.pem" ]] || { echo "no development CA in $STATE/certs: run ./spasm certs" >&2; exit 1; }
  # issue NAME SUBJECT: a client certificate of the development CA, valid for a day (made anew each run).
  issue() {
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$2" -keyout "$CERTS/$1-key.pem" \
      -out "$CERTS/$1.csr" 2>/dev/null &&
      openssl x509 -req -in "$CERTS/$1.csr" -CA "$STATE/certs/ca.pem" -CAkey "$STATE/certs/ca-key.pem" -CAcreateserial \
        -CAserial "$CERTS/ca.srl" -days 1 -sha256 -out "$CERTS/$1.pem" -extfile <(
          printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n') 2>/dev/null &&
      rm -f "$CERTS/$1.csr" && chmod 600 "$CERTS/$1-key.pem"
  }
  rm -rf "$CERTS" && mkdir -p "$CERTS" && chmod 700 "$CERTS"
  cp "$STATE/certs/ca.pem" "$CERTS/ca.pem"
  for i in 0 1 2 3 4 5 6 7; do
    issue "clinic-system-bench-clinic-$i" "/CN=bench-ehr-$i/OU=clinic-system/O=bench-clinic-$i" || { echo "openssl failed" >&2; exit 1; }
  done
  issue bench-auditor "/CN=bench-auditor/OU=auditor" || { echo "openssl failed" >&2; exit 1; }
  export SPASM_CA_CERT="$CERTS/ca.pem" SPASM_CLIENT_CERT="$CERTS/bench-auditor.pem" SPASM_CLIENT_KEY="$CERTS/bench-auditor-key.pem"
fi

pids=()
# The raw write ceiling's scratch schema: PlatformBench drops it itself, this is for when it cannot (killed, database gone).
schemas=("bench_raw_$RUN")
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if ((${#schemas[@]} > 0)); then
    "$SPASM" psql -qc "DROP SCHEMA IF EXISTS $(IFS=,; echo "${schemas[*]}") CASCADE" >/dev/null 2>&1 || true
  fi
  [[ "$TARGET" != own ]] || "$SPASM" rabbitmqctl delete_vhost "$VHOST" >/dev/null 2>&1 || true
}
trap cleanup EXIT

wait_healthy() {
  "${CLI[@]}" health --address "$1" --wait 90 >/dev/null || { echo "$2 did not become SERVING at $1; see $OUT/$2.log" >&2; exit 1; }
}

if [[ "$SECURITY" == mtls ]]; then
  security() { printf '%s\n' Security__Mode=MutualTls "Security__Certificate=$STATE/certs/$1.pem" \
    "Security__CertificateKey=$STATE/certs/$1-key.pem" "Security__TrustedCa=$STATE/certs/ca.pem"; }
else
  security() { printf '%s\n' Security__Mode=Development; }
fi

# start NAME PROJECT PORT INSTANCE [VAR=VALUE...]
start() {
  local name=$1 project=$2 port=$3 instance=$4 pool=$POOL
  local -a sec
  shift 4
  mapfile -t sec < <(security "$name")
  [[ "$name" != knowledge ]] || pool=5
  (cd "$ROOT/services/$project/SpasmPlatform.$project/bin/Release/net10.0" &&
    exec env DOTNET_ENVIRONMENT=Production Grpc__Port="$port" Grpc__BindAddress=127.0.0.1 RateLimiting__Enabled=false \
      ConnectionStrings__Postgres="$SPASM_POSTGRES;Maximum Pool Size=$pool" ConnectionStrings__RabbitMq="$RABBIT" \
      EventStore__Schema="bench_${name//-/}_$RUN" Security__NotesKey="$NOTES_KEY" "${sec[@]}" "$@" \
      dotnet "SpasmPlatform.$project.dll") >"$OUT/$name-$instance.log" 2>&1 &
  pids+=($!)
  wait_healthy "$SCHEME://127.0.0.1:$port" "$name-$instance"
}

if [[ "$TARGET" == own ]]; then
  RABBIT="${SPASM_RABBITMQ%/}/$VHOST"
  schemas+=("bench_knowledge_$RUN" "bench_assessment_$RUN" "bench_careplan_$RUN")
  "$SPASM" rabbitmqctl add_vhost "$VHOST" >/dev/null
  "$SPASM" rabbitmqctl set_permissions -p "$VHOST" spasm '.*' '.*' '.*' >/dev/null
  # The services that store clinical notes need a master key; a throwaway one per run.
  NOTES_KEY="$(head -c 32 /dev/urandom | base64)"
  addresses=()
  for ((i = 0; i < INSTANCES; i++)); do
    base=$((PORT_BASE + 10 * i))
    echo "starting instance $((i + 1)) of knowledge, assessment, care-plan on $((base + 1))-$((base + 3)) ($SECURITY)..." >&2
    # Instances start one after another: the first creates the schemas, the next find them current.
    start knowledge Knowledge $((base + 2)) "$i"
    start care-plan CarePlan $((base + 3)) "$i" Knowledge__Address="$SCHEME://127.0.0.1:$((base + 2))"
    start assessment Assessment $((base + 1)) "$i" Knowledge__Address="$SCHEME://127.0.0.1:$((base + 2))" \
      CarePlan__Address="$SCHEME://127.0.0.1:$((base + 3))"
    addresses+=("$SCHEME://127.0.0.1:$((base + 1))")
  done
  ASSESSMENT_LIST="$(IFS=,; echo "${addresses[*]}")"
  ASSESSMENT_SCHEMA="bench_assessment_$RUN"
  CAREPLAN_SCHEMA="bench_careplan_$RUN"
  SERVICE_ROOT="$ROOT"
elif [[ "$TARGET" == running ]]; then
  ASSESSMENT_LIST="${ASSESSMENT_ADDRESSES:-$SPASM_ASSESSMENT_ADDRESS}"
  [[ "$ASSESSMENT_LIST" == "$SCHEME://"* ]] ||
    { echo "the running platform is at $ASSESSMENT_LIST; set SPASM_SECURITY to match its mode" >&2; exit 1; }
  for address in ${ASSESSMENT_LIST//,/ }; do wait_healthy "$address" assessment; done
  ASSESSMENT_SCHEMA="${ASSESSMENT_SCHEMA:-assessment}"
  CAREPLAN_SCHEMA="${CAREPLAN_SCHEMA:-careplan}"
  SERVICE_ROOT="${SERVICE_ROOT:-$(dirname "$STATE")}"
else
  echo "TARGET must be own or running" >&2
  exit 1
fi

ceiling_args=()
if [[ "$SECURITY" == mtls ]]; then
  ceiling_args=(--tls-cert "$STATE/certs/assessment.pem" --tls-key "$STATE/certs/assessment-key.pem")
fi
(cd "$ROOT" && exec dotnet "$ROOT/bench/grpc/KestrelCeiling/bin/Release/net10.0/KestrelCeiling.dll" --port "$CEILING_PORT" \
  "${ceiling_args[@]}") >"$OUT/ceiling.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q listening "$OUT/ceiling.log" 2>/dev/null && break; sleep 0.2; done

echo "measuring (${SCENARIOS}; about $(( ($(wc -w <<<"$CONCURRENCY") * 3 + 3 + 6) * (DURATION + WARMUP) / 60 + 1 )) min)..." >&2
(cd "$ROOT" && dotnet "$HERE/PlatformBench/bin/Release/net10.0/PlatformBench.dll" \
  --assessment "$ASSESSMENT_LIST" --samples "$ROOT/samples/assessments" --postgres "$SPASM_POSTGRES" \
  --assessment-schema "$ASSESSMENT_SCHEMA" --careplan-schema "$CAREPLAN_SCHEMA" --security "$SECURITY" --certs "$CERTS" \
  --ceiling "$SCHEME://127.0.0.1:$CEILING_PORT" --concurrency "$CONCURRENCY" --duration "$DURATION" --warmup "$WARMUP" \
  --rate "$RATE" --read-concurrency "$READ_CONCURRENCY" --trace-concurrency "$TRACE_CONCURRENCY" --scenarios "$SCENARIOS" \
  --seed "$SEED" --seed-sql "$ROOT/bench/audit/seed.sql" --raw-batch "$RAW_BATCH" --poll-ms "$POLL_MS" --drain "$DRAIN" \
  --service-root "$SERVICE_ROOT" --scratch-schema "bench_raw_$RUN" --out "$RESULTS_DIR" --command "$INVOCATION" \
  --note "Commit $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (with uncommitted changes)'); target: $TARGET.") |
  tee "$OUT/run-$RUN.txt"
