#!/usr/bin/env bash
# bench/grpc/run.sh - unary gRPC throughput/latency: grpc-dotnet (the stack the services run on) vs a bare
# Kestrel HTTP/2 endpoint (the ceiling) vs Debian's C++ gRPC, all driven by h2load with the same request, and
# beside them the retired SpasmPlatform.Grpc layer's figures from the History of results.md (not re-run: its
# code is gone). Run by hand only:
#
#   bash bench/grpc/run.sh
#
# Builds the three servers (Release), starts them on 127.0.0.1, checks each with curl and a real gRPC
# client, runs h2load per load and server, writes the latest run at the top of bench/grpc/results.md
# (the run that was there moves to the top of its "## History", which is otherwise kept as it is), and
# stops the servers. About 8 minutes with the defaults.
# Raw h2load output goes to bench/grpc/out/ (git-ignored). Knobs (environment variables):
#
#   SERVERS="grpc-dotnet kestrel cpp"   which servers to run; "cpp-sync" (C++ on the synchronous API) is optional
#   LOADS="1x1 1x10 4x25"        h2load clients x max concurrent streams per client
#   DURATION=10                  measured seconds per run (h2load -D)
#   WARMUP=3                     seconds of load at the same concurrency right before each measured run
#   REPEATS=3                    measured runs per server and load (servers interleaved)
#   LATENCY_DURATION=5           seconds of the extra per-request-logged run for p50/p99 (0: skip)
#   LOG_DIR=/dev/shm             where the latency run's per-request log is written (tmpfs: cheapest writes)
#   H2LOAD_THREADS=1             h2load -t (capped at the number of clients)
#   H2LOAD_CPUS=                 e.g. "1": pin h2load with taskset (servers then get the other cores)
#   SERVER_CPUS=                 e.g. "0": pin the servers with taskset
#   PORT_GRPC_DOTNET=50062 PORT_KESTREL=50061 PORT_CPP=50063 PORT_CPP_SYNC=50064
#   SKIP_BUILD=1                 reuse the last build
#   AUTO_INSTALL=0               do not apt-get install missing tools (default: install when root)
#   RESULTS=path                 where to write the markdown (default bench/grpc/results.md); its History,
#                                or else bench/grpc/results.md's, is carried over
set -euo pipefail

# The command as given, for results.md: a run can only be compared with another made with the same knobs.
KNOBS=(SERVERS LOADS DURATION WARMUP REPEATS LATENCY_DURATION LOG_DIR H2LOAD_THREADS H2LOAD_CPUS SERVER_CPUS PYTHON
       PORT_GRPC_DOTNET PORT_KESTREL PORT_CPP PORT_CPP_SYNC SKIP_BUILD AUTO_INSTALL RESULTS)
INVOCATION=""
for knob in "${KNOBS[@]}"; do
    if [[ -n "${!knob+set}" ]]; then INVOCATION+="$knob=$(printf '%q' "${!knob}") "; fi
done
INVOCATION+="bash bench/grpc/run.sh"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$HERE/out"
RAW="$OUT/raw"
RESULTS="${RESULTS:-$HERE/results.md}"

SERVERS="${SERVERS:-grpc-dotnet kestrel cpp}"
LOADS="${LOADS:-1x1 1x10 4x25}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
REPEATS="${REPEATS:-3}"
LATENCY_DURATION="${LATENCY_DURATION:-5}"
H2LOAD_THREADS="${H2LOAD_THREADS:-1}"
H2LOAD_CPUS="${H2LOAD_CPUS:-}"
SERVER_CPUS="${SERVER_CPUS:-}"
PYTHON="${PYTHON:-/usr/bin/python3}"
LOG_DIR="${LOG_DIR:-/dev/shm}"
[[ -d "$LOG_DIR" && -w "$LOG_DIR" ]] || LOG_DIR="$HERE/out/raw"
AUTO_INSTALL="${AUTO_INSTALL:-1}"

declare -A PORT=([grpc-dotnet]="${PORT_GRPC_DOTNET:-50062}" [kestrel]="${PORT_KESTREL:-50061}" [cpp]="${PORT_CPP:-50063}"
                 [cpp-sync]="${PORT_CPP_SYNC:-50064}")
declare -A LABEL=([grpc-dotnet]="grpc-dotnet (Grpc.AspNetCore)" [kestrel]="Kestrel ceiling" [cpp]="C++ gRPC (callback API)"
                  [cpp-sync]="C++ gRPC (sync API)")
OLD_LABEL="old layer (SpasmPlatform.Grpc), reference"
# The goals, checked at the heaviest load (GOAL_LOAD) and shown for every load.
GOAL_CEILING=0.85
GOAL_CPP=1.5
GOAL_LOAD=4x25
declare -A PID=()

RPC_PATH="/spasm.testing.v1.EchoService/Echo"
REQUEST_FILE="$OUT/echo-request.bin"
RESPONSE_FILE="$OUT/echo-response.bin"
# One framed gRPC message: flag 0, big-endian length 7, EchoRequest{message="hello"}. The expected
# EchoResponse{message="hello"} frame is the same 12 bytes (both messages use field 1 for `message`).
FRAME_BYTES=12
CLK_TCK="$(getconf CLK_TCK)"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for server in $SERVERS; do
    [[ -n "${PORT[$server]:-}" ]] || die "unknown server '$server' (expected: grpc-dotnet kestrel cpp cpp-sync)"
done

# ---------------------------------------------------------------------------------------------- tools
ensure_tools() {
    local -a missing=()
    command -v h2load >/dev/null || missing+=(nghttp2-client)
    command -v curl >/dev/null || missing+=(curl)
    command -v protoc >/dev/null || missing+=(protobuf-compiler)
    if [[ " $SERVERS " == *" cpp"* ]]; then
        command -v cmake >/dev/null || missing+=(cmake)
        command -v g++ >/dev/null || missing+=(g++)
        command -v pkg-config >/dev/null || missing+=(pkg-config)
        command -v grpc_cpp_plugin >/dev/null || missing+=(protobuf-compiler-grpc)
        pkg-config --exists grpc++ 2>/dev/null || missing+=(libgrpc++-dev)
        pkg-config --exists protobuf 2>/dev/null || missing+=(libprotobuf-dev)
    fi
    "$PYTHON" -c 'import grpc, google.protobuf' 2>/dev/null || missing+=(python3-grpcio python3-protobuf)
    if ((${#missing[@]} > 0)); then
        if [[ "$AUTO_INSTALL" == 1 && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
            log "installing: ${missing[*]}"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            die "missing tools; install with: apt-get install ${missing[*]}"
        fi
    fi
    if [[ " $SERVERS " == *" grpc-dotnet "* || " $SERVERS " == *" kestrel "* ]]; then
        command -v dotnet >/dev/null || die "the .NET SDK is needed for the grpc-dotnet/kestrel servers"
    fi
}

# ---------------------------------------------------------------------------------------------- build
build() {
    if [[ "${SKIP_BUILD:-0}" == 1 ]]; then
        log "SKIP_BUILD=1: reusing the last build"
        return
    fi
    for server in $SERVERS; do
        case "$server" in
            grpc-dotnet) log "building GrpcDotnetServer (Release)"
                  dotnet build "$HERE/GrpcDotnetServer/GrpcDotnetServer.csproj" -c Release -nologo -v quiet >&2 ;;
            kestrel) log "building KestrelCeiling (Release)"
                  dotnet build "$HERE/KestrelCeiling/KestrelCeiling.csproj" -c Release -nologo -v quiet >&2 ;;
            cpp|cpp-sync) log "building the C++ server (Release)"
                  cmake -S "$HERE/cpp" -B "$OUT/cpp-build" -DCMAKE_BUILD_TYPE=Release >/dev/null
                  cmake --build "$OUT/cpp-build" -j"$(nproc)" >/dev/null ;;
        esac
    done
    log "generating Python messages for verify.py"
    mkdir -p "$OUT/py"
    protoc -I "$ROOT/protos" --python_out="$OUT/py" "$ROOT/protos/spasm/testing/v1/echo.proto"
}

write_payloads() {
    printf '\x00\x00\x00\x00\x07\x0a\x05hello' > "$REQUEST_FILE"
    printf '\x00\x00\x00\x00\x07\x0a\x05hello' > "$RESPONSE_FILE"
}

# -------------------------------------------------------------------------------------------- servers
server_command() {  # sets CMD to the server's command line
    local server="$1" port="${PORT[$1]}"
    case "$server" in
        grpc-dotnet) CMD=(dotnet "$HERE/GrpcDotnetServer/bin/Release/net10.0/GrpcDotnetServer.dll" --port "$port") ;;
        kestrel) CMD=(dotnet "$HERE/KestrelCeiling/bin/Release/net10.0/KestrelCeiling.dll" --port "$port") ;;
        cpp) CMD=("$OUT/cpp-build/echo_server" "$port") ;;
        cpp-sync) CMD=("$OUT/cpp-build/echo_server" "$port" --sync) ;;
    esac
}

echo_call() {  # echo_call PORT BODY_FILE HEADERS_FILE -> curl's exit code
    curl -sS --http2-prior-knowledge --max-time 5 -X POST \
        -H 'content-type: application/grpc' -H 'te: trailers' \
        --data-binary "@$REQUEST_FILE" -o "$2" -D "$3" "http://127.0.0.1:$1$RPC_PATH"
}

start_server() {
    local server="$1" port="${PORT[$1]}"
    if echo_call "$port" /dev/null /dev/null 2>/dev/null; then
        die "something already answers on 127.0.0.1:$port; stop it or set PORT_$(tr a-z- A-Z_ <<< "$server")"
    fi
    local -a pin=()
    [[ -n "$SERVER_CPUS" ]] && pin=(taskset -c "$SERVER_CPUS")
    local -a CMD=()
    server_command "$server"
    "${pin[@]}" "${CMD[@]}" > "$OUT/server-$server.log" 2>&1 &
    PID[$server]=$!
    local tries=0
    until echo_call "$port" /dev/null /dev/null 2>/dev/null; do
        kill -0 "${PID[$server]}" 2>/dev/null || { cat "$OUT/server-$server.log" >&2; die "$server exited during start-up"; }
        ((++tries < 150)) || die "$server did not answer on 127.0.0.1:$port within 30 s"
        sleep 0.2
    done
    log "started $server (pid ${PID[$server]}) on 127.0.0.1:$port"
}

stop_servers() {
    local server
    for server in "${!PID[@]}"; do
        kill -TERM "${PID[$server]}" 2>/dev/null || true
    done
    for server in "${!PID[@]}"; do
        wait "${PID[$server]}" 2>/dev/null || true
        unset 'PID[$server]'
    done
}
trap stop_servers EXIT
trap 'exit 130' INT TERM

verify_server() {
    local server="$1" port="${PORT[$1]}"
    local body="$OUT/verify-$server.body" headers="$OUT/verify-$server.headers"
    echo_call "$port" "$body" "$headers" || die "$server: curl call failed"
    cmp -s "$body" "$RESPONSE_FILE" || die "$server: response body differs from the expected frame (see $body)"
    grep -qi '^content-type: application/grpc' "$headers" || die "$server: no content-type application/grpc"
    # curl writes HTTP/2 trailers after the headers in the -D dump.
    grep -qi '^grpc-status: 0' "$headers" || die "$server: no grpc-status: 0 (see $headers)"
    log "$server: curl: 200, content-type application/grpc, body = expected 12 bytes, grpc-status 0"
    local -a all=()
    [[ "$server" != kestrel ]] && all=(--all-rpcs)
    "$PYTHON" "$HERE/verify.py" --target "127.0.0.1:$port" --name "$server" --gen-dir "$OUT/py" "${all[@]}" >&2 \
        || die "$server: gRPC client checks failed"
}

# --------------------------------------------------------------------------------------------- h2load
# CPU accounting for a measured run, all from /proc and bash's `times`:
#   server: the server process's user+system ticks;
#   h2load: user+system seconds of this shell's finished children (h2load is the only one in the window);
#   other:  user-mode CPU of the whole machine minus both, i.e. other processes competing for the cores.
# (Kernel time spent in softirq for loopback TCP is charged to neither process, so both are approximate.)
proc_ticks() { awk '{ print $14 + $15, $14 }' "/proc/$1/stat" 2>/dev/null || echo "0 0"; }
machine_user_ticks() { awk '/^cpu / { print $2 + $3 }' /proc/stat; }
children_cpu() {  # prints "total_seconds user_seconds" for finished children; `times` must run in this shell
    times > "$OUT/.times"
    awk 'END {
        split($1, u, "m"); sub("s", "", u[2]); split($2, s, "m"); sub("s", "", s[2])
        user = u[1] * 60 + u[2]; sys = s[1] * 60 + s[2]
        printf "%.3f %.3f\n", user + sys, user }' "$OUT/.times"
}

# .NET servers: "allocated_bytes gen0 gen1 gen2" from their GET /_bench/gc; nothing for the C++ server.
gc_counters() {
    case "$1" in
        grpc-dotnet|kestrel) curl -sS --http2-prior-knowledge --max-time 5 "http://127.0.0.1:${PORT[$1]}/_bench/gc" ;;
    esac
}

h2load_cmd() {  # h2load_cmd SERVER CLIENTS STREAMS extra-args...
    local server="$1" clients="$2" streams="$3"
    shift 3
    local threads=$((H2LOAD_THREADS < clients ? H2LOAD_THREADS : clients))
    local -a pin=()
    [[ -n "$H2LOAD_CPUS" ]] && pin=(taskset -c "$H2LOAD_CPUS")
    "${pin[@]}" h2load -c "$clients" -m "$streams" -t "$threads" -d "$REQUEST_FILE" \
        -H 'content-type: application/grpc' -H 'te: trailers' "$@" \
        "http://127.0.0.1:${PORT[$server]}$RPC_PATH"
}

to_us() {  # h2load duration ("59us", "2.53ms", "1.2s") -> microseconds
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub("us", "", v); printf "%.1f", v }
        else if (v ~ /ms$/) { sub("ms", "", v); printf "%.1f", v * 1000 }
        else if (v ~ /s$/) { sub("s", "", v); printf "%.1f", v * 1000000 }
        else printf "nan" }'
}

# Checks a measured run's output and appends one TSV row to $OUT/runs.tsv.
record_run() {
    local server="$1" load="$2" rep="$3" file="$4" streams_in_flight="$5" server_cores="$6" h2load_cores="$7" other_cores="$8"
    local gc0="$9" gc1="${10}"
    local rps finished succeeded failed errored timeout ok2xx data min max mean sd
    rps="$(awk '/^finished in/ { print $4 }' "$file")"
    read -r finished succeeded failed errored timeout < <(awk '/^requests:/ { print $6, $8, $10, $12, $14 }' "$file")
    ok2xx="$(awk '/^status codes:/ { print $3 }' "$file")"
    data="$(sed -n 's/.*(\([0-9]*\)) data.*/\1/p' "$file")"
    read -r min max mean sd < <(awk '/^time for request:/ { print $4, $5, $6, $7 }' "$file")
    [[ -n "$rps" && -n "$finished" && "$finished" -gt 0 ]] || die "$server $load: no result in $file"
    [[ "$succeeded" == "$finished" && "$failed" == 0 && "$errored" == 0 && "$timeout" == 0 ]] \
        || die "$server $load: not every request succeeded ($file)"
    [[ "$ok2xx" == "$finished" ]] || die "$server $load: $ok2xx of $finished responses were 2xx ($file)"
    # Every answer is the 12-byte response frame; streams cut off by the end of the run may add a few.
    ((data >= finished * FRAME_BYTES && data <= (finished + streams_in_flight) * FRAME_BYTES)) \
        || die "$server $load: $data response bytes for $finished responses, expected $FRAME_BYTES each ($file)"
    local alloc="-" gcs="-"
    if [[ -n "$gc0" && -n "$gc1" ]]; then
        read -r alloc gcs < <(awk -v a="$gc0" -v b="$gc1" -v n="$finished" 'BEGIN {
            split(a, x, " "); split(b, y, " ")
            printf "%.0f %d/%d/%d\n", (y[1] - x[1]) / n, y[2] - x[2], y[3] - x[3], y[4] - x[4] }')
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$load" "$rep" "$rps" "$finished" \
        "$(to_us "$mean")" "$(to_us "$sd")" "$(to_us "$min")" "$(to_us "$max")" \
        "$server_cores" "$h2load_cores" "$other_cores" "$alloc" "$gcs" >> "$OUT/runs.tsv"
}

measure() {  # measure SERVER LOAD REP
    local server="$1" load="$2" rep="$3"
    local clients="${load%x*}" streams="${load#*x}"
    local file="$RAW/$server-$load-r$rep.txt"
    h2load_cmd "$server" "$clients" "$streams" -D "$WARMUP" > "$RAW/$server-$load-r$rep.warmup.txt"
    local pid="${PID[$server]}"
    local t0 t1 s0 s1 su0 su1 m0 m1 c0 c1 cu0 cu1 gc0 gc1
    gc0="$(gc_counters "$server")"
    children_cpu > "$OUT/.c0"
    read -r s0 su0 < <(proc_ticks "$pid"); m0="$(machine_user_ticks)"; t0="$(date +%s%N)"
    h2load_cmd "$server" "$clients" "$streams" -D "$DURATION" > "$file"
    t1="$(date +%s%N)"; read -r s1 su1 < <(proc_ticks "$pid"); m1="$(machine_user_ticks)"
    children_cpu > "$OUT/.c1"
    gc1="$(gc_counters "$server")"
    read -r c0 cu0 < "$OUT/.c0"
    read -r c1 cu1 < "$OUT/.c1"
    local cores
    cores="$(awk -v t=$(( (t1 - t0) / 1000 )) -v s=$((s1 - s0)) -v su=$((su1 - su0)) -v m=$((m1 - m0)) \
        -v c="$c1" -v c0="$c0" -v cu="$cu1" -v cu0="$cu0" -v hz="$CLK_TCK" 'BEGIN {
            secs = t / 1e6
            o = (m / hz - su / hz - (cu - cu0)) / secs; if (o < 0) o = 0
            printf "%.2f %.2f %.2f", s / hz / secs, (c - c0) / secs, o }')"
    # shellcheck disable=SC2086
    record_run "$server" "$load" "$rep" "$file" $((clients * streams)) $cores "$gc0" "$gc1"
    log "$(printf '%-8s %-5s run %s: %10s req/s  (cpu server/h2load/other: %s)' "$server" "$load" "$rep" \
        "$(awk '/^finished in/ { print $4 }' "$file")" "$cores")"
}

# A separate run with h2load --log-file, for latency percentiles. Logging every request costs h2load
# a write() per response, so this run is slower than the measured ones at high concurrency; the log
# goes to tmpfs (LOG_DIR, /dev/shm by default), where that write is cheapest, and is deleted after.
latency_run() {
    local server="$1" load="$2"
    local clients="${load%x*}" streams="${load#*x}"
    local file="$RAW/$server-$load-latency.txt" reqlog="$LOG_DIR/spasm-bench-$server-$load-latency.log"
    rm -f "$reqlog"
    h2load_cmd "$server" "$clients" "$streams" -D "$LATENCY_DURATION" --warm-up-time 1 --log-file "$reqlog" > "$file"
    local rps
    rps="$(awk '/^finished in/ { print $4 }' "$file")"
    # Third column: microseconds from the request's start to the end of its response (status 200 only).
    awk -F'\t' '$2 == 200 { print $3 }' "$reqlog" | sort -n | awk -v s="$server" -v l="$load" -v r="$rps" '
        { v[NR] = $1 }
        END {
            if (NR == 0) { exit 1 }
            split("50 90 99 99.9", q, " ")
            line = s "\t" l "\t" r "\t" NR
            for (i = 1; i <= 4; i++) { k = int(NR * q[i] / 100 + 0.999999); if (k < 1) k = 1; if (k > NR) k = NR; line = line "\t" v[k] }
            print line
        }' >> "$OUT/latency.tsv" || die "$server $load: empty request log"
    rm -f "$reqlog"
    log "$(printf '%-8s %-5s latency run: %s' "$server" "$load" "$(tail -n 1 "$OUT/latency.tsv" | cut -f3-)")"
}

# ---------------------------------------------------------------------------------------------- report
# stats SERVER LOAD -> "best median mean sd max cores_server cores_h2load cores_other alloc gcs": req/s best
# and median over the repeats, the rest from the best run. Nothing when the cell was not run.
stats() {
    awk -F'\t' -v s="$1" -v l="$2" '
        $1 == s && $2 == l { n++; rps[n] = $4 + 0; row[n] = $0 }
        END {
            if (n == 0) exit
            best = 1; for (i = 2; i <= n; i++) if (rps[i] > rps[best]) best = i
            for (i = 1; i <= n; i++) a[i] = rps[i]
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            med = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            split(row[best], b, "\t")
            printf "%.0f %.0f %s %s %s %s %s %s %s %s\n", rps[best], med, b[6], b[7], b[9], b[10], b[11], b[12], b[13], b[14]
        }' "$OUT/runs.tsv"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && a != "-" && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
per_request_us() { awk -v c="$1" -v r="$2" 'BEGIN { if (r + 0 > 0) printf "%.1f", c * 1e6 / r; else printf "-" }'; }
at_least() { awk -v v="$1" -v g="$2" 'BEGIN { exit !(v != "-" && v + 0 >= g + 0) }'; }
times_sign() { local c="$1"; echo "${c/x/×}"; }

# The History of the previous results file, with the run it held on top moved to the head of it (headings
# one level down): on this shared machine one run can be far off the next, so none is thrown away. A file
# from before the section existed is kept whole under it, its headings moved down two levels.
previous_history() {
    local file="$RESULTS"
    [[ -f "$file" ]] || file="$HERE/results.md"
    [[ -f "$file" ]] || return 0
    if grep -q '^## History' "$file"; then
        awk '
            /^## History/ { history = 1; next }
            history && !opened && $0 == "" { opened = 1; next }
            history { rest = rest $0 "\n"; next }
            /^## / { run_started = 1 }
            run_started { sub(/^#/, "##"); run = run $0 "\n" }
            END { printf "## History\n\n%s%s", run, rest }' "$file"
    else
        printf '## History\n\n### Previous results.md, kept as it was\n\n'
        sed 's/^#/###/' "$file"
    fi
}

# The old layer's cells from the History's "### Old layer" section: "load best median cpu_us alloc
# kestrel_best kestrel_median" per load, the Kestrel figures being that run's own ceiling.
old_layer_cells() {
    awk -F'|' '
        /^### Old layer/ { on = 1; next }
        on && /^###? / { on = 0 }
        on && NF > 14 {
            for (i = 2; i <= NF; i++) gsub(/^ +| +$/, "", $i)
            load = $2; sub("×", "x", load)
            if ($3 ~ /^ours/) { best[load] = $4; med[load] = $5; cpu[load] = $13; alloc[load] = $14 }
            if ($3 == "Kestrel ceiling") { kb[load] = $4; km[load] = $5 }
        }
        END { for (l in best) print l, best[l], med[l], cpu[l], alloc[l], kb[l], km[l] }' "$1"
}

write_results() {
    local commit dirty cpu kernel runtime grpc_dotnet grpc_version h2load_version history old_date
    commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    dirty="$(git -C "$ROOT" status --porcelain -- bench services 2>/dev/null | head -n 1)"
    [[ -n "$dirty" ]] && commit="$commit (with uncommitted changes)"
    cpu="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    kernel="$(uname -r)"
    runtime="$(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.AspNetCore.App/ { v = $2 } END { print v }')"
    grpc_dotnet="$(sed -n 's/.*Include="Grpc.AspNetCore" Version="\([^"]*\)".*/\1/p' "$ROOT/Directory.Packages.props")"
    grpc_version="$(pkg-config --modversion grpc++ 2>/dev/null || echo '?')"
    h2load_version="$(h2load --version | awk '{ print $2 }')"
    history="$OUT/history.md"
    previous_history > "$history"
    declare -A OLD=()
    local line
    while read -r line; do OLD[${line%% *}]="${line#* }"; done < <(old_layer_cells "$history")
    old_date="$(sed -n '/^### Old layer/,/^Generated/ s/^Generated by .* on \([^,]*\),.*/\1/p' "$history" | head -n 1)"

    {
        echo "# bench/grpc results"
        echo
        echo "The latest run of \`bench/grpc/run.sh\` comes first; each run moves the one before it to the top of the History."
        echo
        echo "## grpc-dotnet vs the Kestrel ceiling vs C++ gRPC: run of $(date -u '+%Y-%m-%d %H:%M UTC')"
        echo
        echo "Command: \`$INVOCATION\` (commit $commit)."
        echo "Machine: $(nproc) cores ($cpu), kernel $kernel; load average before / after: $LOADAVG_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)."
        echo "Software: ASP.NET Core runtime $runtime, grpc-dotnet (Grpc.AspNetCore) ${grpc_dotnet:-?}, C++ gRPC $grpc_version, h2load $h2load_version."
        echo "Load: h2load -t$H2LOAD_THREADS (at most one thread per client) on the same $(nproc) cores as the server${H2LOAD_CPUS:+ (h2load pinned to CPUs $H2LOAD_CPUS)}${SERVER_CPUS:+ (servers pinned to CPUs $SERVER_CPUS)};"
        echo "each run: ${WARMUP} s of the same load, then ${DURATION} s measured; $REPEATS runs per cell, servers interleaved."
        echo "Request \`EchoRequest{message=\"hello\"}\`, response \`EchoResponse{message=\"hello\"}\`, 12-byte gRPC frames; every response 2xx with the expected size."
        echo
        echo "### Side by side"
        echo
        echo "req/s: best of the $REPEATS runs (other processes on the machine can only slow a run down) and their median."
        echo "× ceiling: req/s ÷ the Kestrel ceiling's req/s at the same load, best ÷ best and median ÷ median."
        echo "Server CPU µs/req: server CPU time (user + system, /proc) ÷ requests, in the best run. Alloc B/req: bytes"
        echo "the .NET server allocated per request in the best run (GC.GetTotalAllocatedBytes, read through its GET /_bench/gc)."
        echo "The old layer's row is copied from the History (${old_date:-its run}), not re-run: its code is gone. Its"
        echo "× ceiling is against the Kestrel ceiling of its own run; compare its req/s with today's only loosely."
        echo
        echo "| load (c×m) | server | req/s best | req/s median | × ceiling (best) | × ceiling (median) | server CPU µs/req | alloc B/req |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|"
        local load server kbest kmed best med mean sd max cs ch co alloc gcs
        for load in $LOADS; do
            kbest=""; kmed=""
            if [[ -n "$(stats kestrel "$load")" ]]; then read -r kbest kmed _ < <(stats kestrel "$load"); fi
            for server in $SERVERS; do
                [[ -n "$(stats "$server" "$load")" ]] || continue
                read -r best med mean sd max cs ch co alloc gcs < <(stats "$server" "$load")
                printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(times_sign "$load")" "${LABEL[$server]}" "$best" "$med" \
                    "$(ratio "$best" "$kbest")" "$(ratio "$med" "$kmed")" "$(per_request_us "$cs" "$best")" "$alloc"
            done
            if [[ -n "${OLD[$load]:-}" ]]; then
                read -r best med cs alloc kbest kmed <<< "${OLD[$load]}"
                printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$(times_sign "$load")" "$OLD_LABEL" "$best" "$med" \
                    "$(ratio "$best" "$kbest")" "$(ratio "$med" "$kmed")" "$cs" "$alloc"
            fi
        done
        if [[ " $SERVERS " == *" grpc-dotnet "* ]]; then
            echo
            echo "### Goals"
            echo
            echo "grpc-dotnet ≥ $GOAL_CEILING× the Kestrel ceiling and ≥ $GOAL_CPP× the C++ server, judged at $(times_sign "$GOAL_LOAD") on both the best and the median"
            echo "req/s (a goal met by one of them only is reported as not met). Verdicts in parentheses are for the other"
            echo "loads, shown for reference only."
            echo
            echo "| load (c×m) | grpc-dotnet ÷ Kestrel (best / median) | goal ≥ $GOAL_CEILING | grpc-dotnet ÷ C++ (best / median) | goal ≥ $GOAL_CPP |"
            echo "|---|---:|---|---:|---|"
            local gb gm cb cm rb rmed verdict_k verdict_c
            for load in $LOADS; do
                [[ -n "$(stats grpc-dotnet "$load")" ]] || continue
                read -r gb gm _ < <(stats grpc-dotnet "$load")
                kbest=""; kmed=""; cb=""; cm=""
                if [[ -n "$(stats kestrel "$load")" ]]; then read -r kbest kmed _ < <(stats kestrel "$load"); fi
                if [[ -n "$(stats cpp "$load")" ]]; then read -r cb cm _ < <(stats cpp "$load"); fi
                rb="$(ratio "$gb" "$kbest")"; rmed="$(ratio "$gm" "$kmed")"
                if [[ "$rb" == - ]]; then verdict_k="not measured"
                elif at_least "$rb" "$GOAL_CEILING" && at_least "$rmed" "$GOAL_CEILING"; then verdict_k="met"
                else verdict_k="**not met**"; fi
                local kr="$rb / $rmed"
                rb="$(ratio "$gb" "$cb")"; rmed="$(ratio "$gm" "$cm")"
                if [[ "$rb" == - ]]; then verdict_c="not measured"
                elif at_least "$rb" "$GOAL_CPP" && at_least "$rmed" "$GOAL_CPP"; then verdict_c="met"
                else verdict_c="**not met**"; fi
                [[ "$load" == "$GOAL_LOAD" ]] || { verdict_k="($verdict_k)"; verdict_c="($verdict_c)"; }
                printf '| %s | %s | %s | %s | %s |\n' "$(times_sign "$load")" "$kr" "$verdict_k" "$rb / $rmed" "$verdict_c"
            done
        fi
        echo
        echo "### Every figure"
        echo
        echo "mean / sd / max: h2load's \"time for request\" of the best run. p50 / p99: from a separate ${LATENCY_DURATION} s run with"
        echo "\`--log-file\` (per-request times; h2load is slower while logging, so that run's req/s is shown too)."
        echo "CPU: cores used during the best run by the server, by h2load, and by other processes' user-mode code (kernel"
        echo "softirq time for loopback TCP is charged to none of them). GCs: the .NET server's gen0/gen1/gen2 collections"
        echo "during the best run."
        echo
        echo "| load (c×m) | server | req/s best | req/s median | mean µs | sd µs | max µs | p50 µs | p99 µs | req/s of p-run | CPU server / h2load / other | server CPU µs/req | alloc B/req | GCs 0/1/2 |"
        echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"
        local p50 p99 prun lat
        for load in $LOADS; do
            for server in $SERVERS; do
                [[ -n "$(stats "$server" "$load")" ]] || continue
                read -r best med mean sd max cs ch co alloc gcs < <(stats "$server" "$load")
                p50="-"; p99="-"; prun="-"
                lat="$(awk -F'\t' -v s="$server" -v l="$load" '$1 == s && $2 == l' "$OUT/latency.tsv" | tail -n 1)"
                if [[ -n "$lat" ]]; then
                    prun="$(cut -f3 <<< "$lat" | awk '{ printf "%.0f", $1 }')"; p50="$(cut -f5 <<< "$lat")"; p99="$(cut -f7 <<< "$lat")"
                fi
                printf '| %s | %s | %s | %s | %.0f | %.0f | %.0f | %s | %s | %s | %s / %s / %s | %s | %s | %s |\n' \
                    "$(times_sign "$load")" "${LABEL[$server]}" "$best" "$med" "$mean" "$sd" "$max" "$p50" "$p99" "$prun" \
                    "$cs" "$ch" "$co" "$(per_request_us "$cs" "$best")" "$alloc" "$gcs"
            done
        done
        echo
        echo "Raw h2load output: \`bench/grpc/out/raw/\` (git-ignored); every run: \`bench/grpc/out/runs.tsv\`."
        echo
        cat "$history"
    } > "$OUT/results.new.md"
    mv "$OUT/results.new.md" "$RESULTS"
    log "wrote $RESULTS"
}

# ------------------------------------------------------------------------------------------------ main
main() {
    LOADAVG_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
    ensure_tools
    mkdir -p "$OUT" "$RAW"
    build
    write_payloads
    rm -f "$OUT/runs.tsv" "$OUT/latency.tsv" "$RAW"/*.txt
    : > "$OUT/runs.tsv"
    : > "$OUT/latency.tsv"

    for server in $SERVERS; do
        start_server "$server"
        verify_server "$server"
    done

    # JIT warm-up for the .NET servers (tiered compilation, dynamic PGO), and the same for C++ for symmetry.
    for server in $SERVERS; do
        log "warming up $server"
        h2load_cmd "$server" 4 25 -D 5 > "$RAW/$server-warmup.txt"
    done

    local rep load
    for ((rep = 1; rep <= REPEATS; rep++)); do
        for load in $LOADS; do
            for server in $SERVERS; do
                measure "$server" "$load" "$rep"
            done
        done
    done

    if ((LATENCY_DURATION > 0)); then
        for load in $LOADS; do
            for server in $SERVERS; do
                latency_run "$server" "$load"
            done
        done
    fi

    # The servers must still be healthy after the load.
    for server in $SERVERS; do
        if ! echo_call "${PORT[$server]}" "$OUT/after-$server.body" "$OUT/after-$server.headers" \
            || ! cmp -s "$OUT/after-$server.body" "$RESPONSE_FILE"; then
            die "$server no longer answers correctly after the load"
        fi
    done
    stop_servers
    write_results
    sed '/^## History/q' "$RESULTS"
}

main "$@"
