#!/usr/bin/env bash
# bench/eventstore/run.sh - throughput of our event store (services/BuildingBlocks/SpasmPlatform.EventStore)
# against raw Npgsql inserts of the same rows, read-and-fold time of a long stream, and the outbox relay's
# throughput to RabbitMQ, all against the real PostgreSQL and RabbitMQ of ./spasm. Run by hand only:
#
#   bash bench/eventstore/run.sh
#
# Builds the benchmark (Release), measures the disk's fdatasync rate with pg_test_fsync (for the report),
# runs every measurement in one process inside a fresh schema (dropped afterwards), and writes
# bench/eventstore/results.md. Every run's numbers go to bench/eventstore/out/runs.tsv (git-ignored).
# Knobs (environment variables):
#
#   SPASM_POSTGRES=...           connection string (default: the ./spasm cluster on 127.0.0.1:55432)
#   SPASM_RABBITMQ=amqp://...    broker for the relay (default: the ./spasm node, amqp://spasm:spasm@127.0.0.1:55672/)
#   WRITERS="1 8"                concurrent writers per cell
#   BATCHES="1 10 100"           events per append (one transaction each)
#   KINDS="ours raw raw-values"  ours = the store; raw = one INSERT ... SELECT FROM unnest per transaction;
#                                raw-values = an NpgsqlBatch of single-row INSERTs (the ceiling is the faster raw)
#   DURATION=8                   measured seconds per run
#   WARMUP=2                     seconds of the same load right before each measured run (not counted)
#   REPEATS=3                    runs per cell; kinds interleaved inside a cell, their order alternating
#   STREAMS_PER_WRITER=16        streams each writer cycles through
#   READ_EVENTS=10000            length of the stream that is read and folded (0: skip the read benchmark)
#   READ_REPEATS=30              measured read passes (after 5 warm-up passes)
#   RELAY_MESSAGES=10000         messages in each outbox backlog the relay drains (0: skip the relay benchmark)
#   RELAY_REPEATS=3              drains per backlog shape (100 streams, 1 stream, no stream id), plus the bus alone
#   RELAY_IN_FLIGHT=1            messages of one stream handed to the bus before their confirms are awaited
#                                (1 = the relay's default, strict per-stream order; 64 = the pipelined opt-in)
#   FSYNC_PROBE=1                run pg_test_fsync for 2 s first (0: skip)
#   SKIP_BUILD=1                 reuse the last build
#   KEEP_SCHEMA=1                keep the esbench_* schema for inspection (drop it by hand afterwards)
#   RESULTS=path                 where to write the markdown (default bench/eventstore/results.md)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/out"
RESULTS="${RESULTS:-$HERE/results.md}"

export SPASM_POSTGRES="${SPASM_POSTGRES:-Host=127.0.0.1;Port=55432;Username=spasm;Password=spasm;Database=spasm}"
WRITERS="${WRITERS:-1 8}"
BATCHES="${BATCHES:-1 10 100}"
KINDS="${KINDS:-ours raw raw-values}"
DURATION="${DURATION:-8}"
WARMUP="${WARMUP:-2}"
REPEATS="${REPEATS:-3}"
STREAMS_PER_WRITER="${STREAMS_PER_WRITER:-16}"
READ_EVENTS="${READ_EVENTS:-10000}"
READ_REPEATS="${READ_REPEATS:-30}"
export SPASM_RABBITMQ="${SPASM_RABBITMQ:-amqp://spasm:spasm@127.0.0.1:55672/}"
RELAY_MESSAGES="${RELAY_MESSAGES:-10000}"
RELAY_REPEATS="${RELAY_REPEATS:-3}"
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
    --read-events "$READ_EVENTS" --read-repeats "$READ_REPEATS"
    --relay-messages "$RELAY_MESSAGES" --relay-repeats "$RELAY_REPEATS"
    --results "$RESULTS" --tsv "$OUT/runs.tsv"
    --commit "$commit" --clock-ticks "$(getconf CLK_TCK)"
)
[[ -n "$fsync_probe" ]] && args+=(--fsync-probe "$fsync_probe")
[[ "$KEEP_SCHEMA" == 1 ]] && args+=(--keep-schema)

log "running: dotnet $BIN ${args[*]}"
dotnet "$BIN" "${args[@]}" 2>&1 | tee "$OUT/run.log" >&2
log "wrote $RESULTS"
cat "$RESULTS"
