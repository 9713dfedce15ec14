#!/usr/bin/env bash
# bench/eventstore/run.sh - our event store on Marten (services/BuildingBlocks/SpasmPlatform.EventStore) against
# raw Npgsql writes of the same rows into the same Marten tables, a whole-schema VerifyIntegrity, read-and-fold of a
# long stream, and the outbox relay to RabbitMQ, against the real PostgreSQL and RabbitMQ of ./spasm. Run by hand only:
#
#   bash bench/eventstore/run.sh
#
# Builds the benchmark (Release), measures the disk's fdatasync rate with pg_test_fsync (for the report), runs
# everything in one process inside fresh schemas (dropped afterwards) and writes the run's report to
# bench/eventstore/out/latest.md and every append run to out/runs.tsv (git-ignored). results.md is the curated record.
# Knobs (environment variables):
#
#   SPASM_POSTGRES=...           connection string (required; `. .spasm/env` in the main checkout sets it)
#   SPASM_RABBITMQ=amqp://...    broker for the relay (required unless RELAY_MESSAGES=0)
#   WRITERS="1 8"                concurrent writers per cell
#   BATCHES="1 10 100"           events per append (one transaction each)
#   KINDS="ours raw raw-notrigger" ours = MartenEventStore.AppendAsync; raw = the same rows by hand (the ceiling);
#                                raw-notrigger = raw into a copy of the tables without the chain trigger
#   DURATION=8                   measured seconds per run
#   WARMUP=2                     seconds of the same load right before each measured run (not counted)
#   REPEATS=3                    runs per cell; kinds interleaved inside a cell, their order alternating
#   STREAMS_PER_WRITER=16        streams each writer cycles through
#   VERIFY_REPEATS=3             whole-schema VerifyAsync passes after the appends (0: skip)
#   READ_EVENTS=10000            length of the stream that is read and folded (0: skip the read benchmark)
#   READ_REPEATS=30              measured read passes (after 5 warm-up passes)
#   RELAY_MESSAGES=10000         messages in each outbox backlog the relay drains (0: skip the relay benchmark)
#   RELAY_REPEATS=3              drains per backlog shape (100 streams, 1 stream, no stream id), plus the bus alone
#   RELAY_IN_FLIGHT=1            messages of one stream handed to the bus before their confirms are awaited
#                                (1 = the relay's default, strict per-stream order)
#   FSYNC_PROBE=1                run pg_test_fsync for 2 s first (0: skip)
#   SKIP_BUILD=1                 reuse the last build
#   KEEP_SCHEMA=1                keep the esbench_* schemas for inspection (drop them by hand afterwards)
#   RESULTS=path                 where to write the run's markdown (default bench/eventstore/out/latest.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/out"
RESULTS="${RESULTS:-$OUT/latest.md}"

[[ -n "${SPASM_POSTGRES:-}" ]] || { echo "SPASM_POSTGRES is not set: run '. .spasm/env' in the main checkout first" >&2; exit 1; }
WRITERS="${WRITERS:-1 8}"
BATCHES="${BATCHES:-1 10 100}"
KINDS="${KINDS:-ours raw raw-notrigger}"
DURATION="${DURATION:-8}"
WARMUP="${WARMUP:-2}"
REPEATS="${REPEATS:-3}"
STREAMS_PER_WRITER="${STREAMS_PER_WRITER:-16}"
VERIFY_REPEATS="${VERIFY_REPEATS:-3}"
READ_EVENTS="${READ_EVENTS:-10000}"
READ_REPEATS="${READ_REPEATS:-30}"
RELAY_MESSAGES="${RELAY_MESSAGES:-10000}"
RELAY_REPEATS="${RELAY_REPEATS:-3}"
RELAY_IN_FLIGHT="${RELAY_IN_FLIGHT:-1}"
FSYNC_PROBE="${FSYNC_PROBE:-1}"
SKIP_BUILD="${SKIP_BUILD:-0}"
KEEP_SCHEMA="${KEEP_SCHEMA:-0}"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# Host and port of the connection string, to check that PostgreSQL is there before building anything.
pg_host="$(sed -n 's/.*Host=\([^;]*\).*/\1/Ip' <<< "$SPASM_POSTGRES")"
pg_port="$(sed -n 's/.*Port=\([^;]*\).*/\1/Ip' <<< "$SPASM_POSTGRES")"
pg_host="${pg_host:-127.0.0.1}"
pg_port="${pg_port:-5432}"
if ! (exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null; then
    die "PostgreSQL is not listening on $pg_host:$pg_port; start it with './spasm up' in the main checkout"
fi

if [[ "$RELAY_MESSAGES" != 0 ]]; then
    [[ -n "${SPASM_RABBITMQ:-}" ]] || die "SPASM_RABBITMQ is not set: run '. .spasm/env' in the main checkout, or set RELAY_MESSAGES=0"
    amqp_hostport="$(sed -n 's|^amqps\{0,1\}://\([^@/]*@\)\{0,1\}\([^/:]*\):\{0,1\}\([0-9]*\).*|\2 \3|p' <<< "$SPASM_RABBITMQ")"
    read -r amqp_host amqp_port <<< "$amqp_hostport"
    if ! (exec 3<>"/dev/tcp/${amqp_host:-127.0.0.1}/${amqp_port:-5672}") 2>/dev/null; then
        die "RabbitMQ is not listening on ${amqp_host:-127.0.0.1}:${amqp_port:-5672}; start it with './spasm up' or set RELAY_MESSAGES=0"
    fi
fi

command -v dotnet >/dev/null || die "dotnet not found (the SDK from global.json is needed)"
mkdir -p "$OUT"

if [[ "$SKIP_BUILD" != 1 ]]; then
    log "building (Release)"
    dotnet build -c Release "$HERE/EventStoreBench.csproj" -nologo -v q > "$OUT/build.log" 2>&1 \
        || { cat "$OUT/build.log" >&2; die "build failed"; }
fi
BIN="$HERE/bin/Release/net10.0/EventStoreBench.dll"
[[ -f "$BIN" ]] || die "$BIN is missing; run without SKIP_BUILD=1"

# The disk's commit rate bounds single-writer appends: one fdatasync per COMMIT. pg_test_fsync writes a
# scratch file in out/, which is on the same filesystem as the ./spasm cluster's data directory here.
fsync_probe=""
PG_TEST_FSYNC="$(command -v pg_test_fsync || true)"
if [[ -z "$PG_TEST_FSYNC" ]]; then
    for candidate in /usr/lib/postgresql/*/bin/pg_test_fsync; do
        [[ -x "$candidate" ]] && PG_TEST_FSYNC="$candidate"
    done
fi
if [[ "$FSYNC_PROBE" == 1 && -n "$PG_TEST_FSYNC" && -x "$PG_TEST_FSYNC" ]]; then
    log "measuring fdatasync with pg_test_fsync"
    "$PG_TEST_FSYNC" -s 2 -f "$OUT/pg_test_fsync.tmp" > "$OUT/pg_test_fsync.txt" 2>&1 || true
    rm -f "$OUT/pg_test_fsync.tmp"
    fsync_probe="$(awk '/one 8kB write/ { one = 1 } one && $1 == "fdatasync" { printf "%s ops/s (%s µs per write + fdatasync)", $2, $4; exit }' "$OUT/pg_test_fsync.txt")"
fi

commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git -C "$ROOT" status --porcelain -- bench/eventstore services 2>/dev/null | grep -v '^?? bench/eventstore/out' | head -n 1)" ]]; then
    commit="$commit (with uncommitted changes)"
fi

args=(
    --writers "$WRITERS" --batches "$BATCHES" --kinds "$KINDS"
    --duration "$DURATION" --warmup "$WARMUP" --repeats "$REPEATS"
    --streams-per-writer "$STREAMS_PER_WRITER"
    --verify-repeats "$VERIFY_REPEATS"
    --read-events "$READ_EVENTS" --read-repeats "$READ_REPEATS"
    --relay-messages "$RELAY_MESSAGES" --relay-repeats "$RELAY_REPEATS" --relay-in-flight "$RELAY_IN_FLIGHT"
    --results "$RESULTS" --tsv "$OUT/runs.tsv"
    --commit "$commit" --clock-ticks "$(getconf CLK_TCK)"
)
[[ -n "$fsync_probe" ]] && args+=(--fsync-probe "$fsync_probe")
[[ "$KEEP_SCHEMA" == 1 ]] && args+=(--keep-schema)

log "running: dotnet $BIN ${args[*]}"
dotnet "$BIN" "${args[@]}" 2>&1 | tee "$OUT/run.log" >&2
log "wrote $RESULTS"
cat "$RESULTS"
