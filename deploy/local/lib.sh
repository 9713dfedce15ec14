# shellcheck shell=bash
#
# deploy/local/lib.sh — the machinery behind ./spasm, sourced by it.
#
# Runs a private PostgreSQL cluster and a private RabbitMQ node for one checkout, on
# loopback only, with their data under .spasm/, plus the three SpasmPlatform services.
# Both daemons refuse to (or should not) run as root, so when ./spasm runs as root they
# run as an unprivileged system user (SPASM_RUN_USER, default "spasm", created on
# demand); otherwise they run as the invoking user.
#
# Expects SPASM_ROOT (the repository root) to be set by the caller, and `set -euo pipefail`.

# ---------------------------------------------------------------------------------------
# Configuration (every value can be overridden from the environment)
# ---------------------------------------------------------------------------------------

SPASM_STATE_DIR="${SPASM_STATE_DIR:-$SPASM_ROOT/.spasm}"
SPASM_RUN_USER="${SPASM_RUN_USER:-spasm}"

SPASM_PG_PORT="${SPASM_PG_PORT:-55432}"
SPASM_AMQP_PORT="${SPASM_AMQP_PORT:-55672}"
SPASM_RABBITMQ_DIST_PORT="${SPASM_RABBITMQ_DIST_PORT:-55673}"
SPASM_EPMD_PORT="${SPASM_EPMD_PORT:-55674}"
SPASM_RABBITMQ_NODE="${SPASM_RABBITMQ_NODE:-spasm@localhost}"

SPASM_ASSESSMENT_PORT="${SPASM_ASSESSMENT_PORT:-5101}"
SPASM_KNOWLEDGE_PORT="${SPASM_KNOWLEDGE_PORT:-5102}"
SPASM_CAREPLAN_PORT="${SPASM_CAREPLAN_PORT:-5103}"
# The web console (HTTPS, development sign-in with the demo people of clinic-demo).
SPASM_CONSOLE_PORT="${SPASM_CONSOLE_PORT:-5104}"
# mtls (default): the services listen with TLS and want client certificates from the development CA below;
# development: cleartext h2c on loopback, every caller trusted (what the test suite's own processes use).
SPASM_SECURITY="${SPASM_SECURITY:-mtls}"

# Seconds to wait for each service to report SERVING, and for each daemon to start.
SPASM_HEALTH_WAIT="${SPASM_HEALTH_WAIT:-60}"
SPASM_START_WAIT="${SPASM_START_WAIT:-60}"

# Fixed development credentials; the same names are used for the PostgreSQL role and
# database and for the RabbitMQ user.
readonly SPASM_DB_USER=spasm
readonly SPASM_DB_PASSWORD=spasm
readonly SPASM_DB_NAME=spasm
readonly SPASM_MQ_USER=spasm
readonly SPASM_MQ_PASSWORD=spasm

# shellcheck disable=SC2034 # used by ./spasm
readonly SPASM_SERVICES=(assessment knowledge care-plan)

SPASM_SOLUTION="${SPASM_SOLUTION:-$SPASM_ROOT/SpasmPlatform.sln}"
# The tests point it at the build they run against.
SPASM_CLI_DLL="${SPASM_CLI_DLL:-$SPASM_ROOT/services/Tools/SpasmPlatform.Cli/bin/Release/net10.0/spasm-cli.dll}"

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# ---------------------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------------------

spasm_info() { printf 'spasm: %s\n' "$*"; }
spasm_warn() { printf 'spasm: warning: %s\n' "$*" >&2; }
spasm_error() { printf 'spasm: error: %s\n' "$*" >&2; }
spasm_die() {
  spasm_error "$@"
  exit 1
}

# Prints the last lines of a log file to stderr, indented, to explain a failure.
spasm_show_log_tail() {
  local file="$1" lines="${2:-30}"
  if [[ -s "$file" ]]; then
    printf 'spasm: last %s lines of %s:\n' "$lines" "$(spasm_pretty_path "$file")" >&2
    tail -n "$lines" "$file" | sed 's/^/    /' >&2
  fi
}

# Shows a path relative to the repository root when it lies inside it.
spasm_pretty_path() {
  local path="$1"
  if [[ "$path" == "$SPASM_ROOT/"* ]]; then
    printf '%s\n' "${path#"$SPASM_ROOT"/}"
  else
    printf '%s\n' "$path"
  fi
}

# ---------------------------------------------------------------------------------------
# Checks on the configuration
# ---------------------------------------------------------------------------------------

spasm_validate_config() {
  local name value
  for name in SPASM_PG_PORT SPASM_AMQP_PORT SPASM_RABBITMQ_DIST_PORT SPASM_EPMD_PORT \
    SPASM_ASSESSMENT_PORT SPASM_KNOWLEDGE_PORT SPASM_CAREPLAN_PORT; do
    value="${!name}"
    if ! [[ "$value" =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
      spasm_die "$name must be a TCP port number (1-65535), got '$value'"
    fi
  done
  for name in SPASM_HEALTH_WAIT SPASM_START_WAIT; do
    value="${!name}"
    [[ "$value" =~ ^[0-9]+$ ]] || spasm_die "$name must be a number of seconds, got '$value'"
  done
  [[ "$SPASM_RABBITMQ_NODE" =~ ^[A-Za-z0-9_-]+@[A-Za-z0-9.-]+$ ]] ||
    spasm_die "SPASM_RABBITMQ_NODE must look like name@host, got '$SPASM_RABBITMQ_NODE'"
  [[ "$SPASM_RUN_USER" =~ ^[a-z_][a-z0-9_-]*$ ]] ||
    spasm_die "SPASM_RUN_USER must be a plain user name, got '$SPASM_RUN_USER'"
}

# ---------------------------------------------------------------------------------------
# Users and privileges
# ---------------------------------------------------------------------------------------

spasm_is_root() { [[ "$(id -u)" -eq 0 ]]; }

spasm_run_user_exists() { id -u "$SPASM_RUN_USER" >/dev/null 2>&1; }

# The user the daemons run as: SPASM_RUN_USER under root, the caller otherwise.
spasm_daemon_user() {
  if spasm_is_root; then
    printf '%s\n' "$SPASM_RUN_USER"
  else
    id -un
  fi
}

# Creates the unprivileged system user that owns the daemons' data (root only).
spasm_ensure_run_user() {
  spasm_is_root || return 0
  spasm_run_user_exists && return 0
  command -v useradd >/dev/null 2>&1 ||
    spasm_die "cannot create the system user '$SPASM_RUN_USER': useradd is not installed"
  spasm_info "creating system user '$SPASM_RUN_USER' to run PostgreSQL and RabbitMQ"
  useradd --system --user-group --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin "$SPASM_RUN_USER"
}

# Runs a command as the daemon user.
spasm_as_daemon_user() {
  if spasm_is_root; then
    runuser -u "$SPASM_RUN_USER" -- "$@"
  else
    "$@"
  fi
}

# Creates a directory owned by the daemon user (mode given), or fixes an existing one.
spasm_daemon_dir() {
  local dir="$1" mode="$2"
  mkdir -p "$dir"
  chmod "$mode" "$dir"
  if spasm_is_root; then
    chown "$SPASM_RUN_USER:$(id -gn "$SPASM_RUN_USER")" "$dir"
  fi
}

# Writes stdin to a file readable by the daemon user (mode given).
spasm_daemon_file() {
  local file="$1" mode="$2"
  cat >"$file"
  chmod "$mode" "$file"
  if spasm_is_root; then
    chown "$SPASM_RUN_USER:$(id -gn "$SPASM_RUN_USER")" "$file"
  fi
}

# ---------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------

# Sets SPASM_PG_DATA and SPASM_RMQ_DIR. They live under .spasm/ unless the daemon user
# cannot reach .spasm/ (a checkout under /root, say): then they live under
# /var/lib/spasm-platform/<hash of the checkout path>/ and .spasm/postgres and
# .spasm/rabbitmq are symbolic links to them. With create=no nothing is created.
spasm_resolve_paths() {
  local create="${1:-yes}" base="$SPASM_STATE_DIR" name
  if [[ "$create" == yes ]]; then
    mkdir -p "$SPASM_STATE_DIR/logs" "$SPASM_STATE_DIR/run"
  fi
  if spasm_is_root && spasm_run_user_exists && [[ -d "$SPASM_STATE_DIR" ]] &&
    ! runuser -u "$SPASM_RUN_USER" -- test -x "$SPASM_STATE_DIR"; then
    base="/var/lib/spasm-platform/$(printf '%s' "$SPASM_STATE_DIR" | sha256sum | cut -c1-16)"
    if [[ "$create" == yes ]]; then
      mkdir -p "$base"
      chmod 755 /var/lib/spasm-platform "$base"
      for name in postgres rabbitmq; do
        if [[ -L "$SPASM_STATE_DIR/$name" || ! -e "$SPASM_STATE_DIR/$name" ]]; then
          ln -sfn "$base/$name" "$SPASM_STATE_DIR/$name"
        else
          spasm_warn "$SPASM_STATE_DIR/$name is not reachable by user '$SPASM_RUN_USER'; using $base/$name instead"
        fi
      done
    fi
  fi
  SPASM_PG_DATA="$base/postgres"
  SPASM_RMQ_DIR="$base/rabbitmq"
}

# ---------------------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------------------

# Installs Debian packages quietly (root only). Services are not started by the
# packages' maintainer scripts: a temporary policy-rc.d forbids it, because the
# platform runs its own private instances.
spasm_apt_install() {
  local log="$SPASM_STATE_DIR/logs/apt.log" guard=no rc=0
  mkdir -p "$SPASM_STATE_DIR/logs"
  spasm_info "installing Debian packages: $*"
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\n# Written by SpasmPlatform ./spasm while installing packages.\nexit 101\n' \
      >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    guard=yes
  fi
  # Waits for the dpkg lock (another apt-get may be running) instead of failing at once.
  {
    DEBIAN_FRONTEND=noninteractive apt-get -qq -o DPkg::Lock::Timeout=600 update ||
      printf 'spasm: apt-get update failed; installing from the package lists at hand\n'
    DEBIAN_FRONTEND=noninteractive apt-get -qq -y --no-install-recommends \
      -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 install "$@"
  } >"$log" 2>&1 || rc=$?
  if [[ "$guard" == yes ]]; then
    rm -f /usr/sbin/policy-rc.d
  fi
  if ((rc != 0)); then
    spasm_show_log_tail "$log" 40
    spasm_die "apt-get failed to install: $*"
  fi
}

# Installs the given Debian packages when root; otherwise says exactly what to install
# and fails.
spasm_provide_packages() {
  (($# > 0)) || return 0
  if spasm_is_root && command -v apt-get >/dev/null 2>&1; then
    spasm_apt_install "$@"
    return 0
  fi
  spasm_error "missing packages: $*"
  if command -v apt-get >/dev/null 2>&1; then
    printf 'Install them with:\n    sudo apt-get install -y %s\n' "$*" >&2
  else
    printf 'Install the equivalents of these Debian packages with your package manager.\n' >&2
  fi
  exit 1
}

# The directory holding initdb/pg_ctl/postgres: pg_config's answer when it has them,
# else the newest /usr/lib/postgresql/*/bin, else wherever initdb is on PATH. When a
# cluster already exists its own major version wins.
spasm_pg_bindir() {
  local dir candidate version=""
  if [[ -n "${SPASM_PG_DATA:-}" && -r "$SPASM_PG_DATA/PG_VERSION" ]]; then
    version="$(<"$SPASM_PG_DATA/PG_VERSION")"
    if [[ -x "/usr/lib/postgresql/$version/bin/pg_ctl" ]]; then
      printf '%s\n' "/usr/lib/postgresql/$version/bin"
      return 0
    fi
  fi
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      printf '%s\n' "$dir"
      return 0
    fi
  fi
  dir=""
  for candidate in /usr/lib/postgresql/*/bin; do
    if [[ -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]]; then
      if [[ -z "$dir" ]] || (("${candidate//[!0-9]/}" > "${dir//[!0-9]/}")); then
        dir="$candidate"
      fi
    fi
  done
  if [[ -z "$dir" ]] && command -v initdb >/dev/null 2>&1; then
    dir="$(dirname "$(command -v initdb)")"
  fi
  [[ -n "$dir" ]] || return 1
  printf '%s\n' "$dir"
}

# The directory holding the real rabbitmq-server/rabbitmqctl scripts. Debian's
# /usr/sbin/rabbitmq-* are wrappers that switch to the 'rabbitmq' user and its cookie;
# the scripts behind them run as any user, which lets the node run as the daemon user
# with a private Erlang cookie.
spasm_rabbit_sbin() {
  local script
  if [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server && -x /usr/lib/rabbitmq/bin/rabbitmqctl ]]; then
    printf '%s\n' /usr/lib/rabbitmq/bin
    return 0
  fi
  script="$(command -v rabbitmq-server 2>/dev/null || true)"
  [[ -n "$script" ]] || return 1
  printf '%s\n' "$(dirname "$script")"
}

# Debian packages that `up` and `test` need for PostgreSQL and RabbitMQ, if missing.
spasm_missing_infra_packages() {
  local -a missing=()
  local bindir
  if ! bindir="$(spasm_pg_bindir)" || [[ ! -x "$bindir/postgres" ]]; then
    missing+=(postgresql)
  elif [[ ! -x "$bindir/psql" ]] && ! command -v psql >/dev/null 2>&1; then
    missing+=(postgresql-client)
  fi
  if ! spasm_rabbit_sbin >/dev/null || ! command -v erl >/dev/null 2>&1; then
    missing+=(rabbitmq-server)
  fi
  if spasm_is_root && ! command -v runuser >/dev/null 2>&1; then
    missing+=(util-linux)
  fi
  if ! command -v setsid >/dev/null 2>&1; then
    missing+=(util-linux)
  fi
  printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d'
}

# Debian packages that the test suites need (interop peers), if missing.
spasm_missing_test_packages() {
  local -a missing=()
  if [[ ! -x /usr/bin/python3 ]]; then
    missing+=(python3 python3-grpcio python3-protobuf)
  else
    /usr/bin/python3 -c 'import grpc' >/dev/null 2>&1 || missing+=(python3-grpcio)
    /usr/bin/python3 -c 'import google.protobuf' >/dev/null 2>&1 || missing+=(python3-protobuf)
  fi
  command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
  # The well-known types (google/protobuf/any.proto, ...) that protoc imports; only a
  # Recommends of protobuf-compiler, which the quiet install leaves out.
  [[ -f /usr/include/google/protobuf/any.proto ]] || missing+=(libprotobuf-dev)
  # The audit tests render the HTML decision report in headless Chromium and keep a screenshot.
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  if [[ -f "$SPASM_ROOT/tests/interop/node/package.json" ]]; then
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
  fi
  printf '%s\n' "${missing[@]}" | sed '/^$/d'
}

spasm_require_dotnet() {
  command -v dotnet >/dev/null 2>&1 ||
    spasm_die "the .NET 10 SDK is required (dotnet not found on PATH)"
}

spasm_ensure_infra_packages() {
  local -a missing
  mapfile -t missing < <(spasm_missing_infra_packages)
  spasm_provide_packages "${missing[@]}"
  if ((${#missing[@]} > 0)); then
    mapfile -t missing < <(spasm_missing_infra_packages)
    ((${#missing[@]} == 0)) || spasm_die "still missing after installation: ${missing[*]}"
  fi
}

spasm_ensure_test_packages() {
  local -a missing
  mapfile -t missing < <(spasm_missing_test_packages)
  spasm_provide_packages "${missing[@]}"
  if ((${#missing[@]} > 0)); then
    mapfile -t missing < <(spasm_missing_test_packages)
    ((${#missing[@]} == 0)) || spasm_die "still missing after installation: ${missing[*]}"
  fi
}

# Installs the Node interop peer's dependencies when tests/interop/node has a
# package.json; skipped when node_modules is already newer than the manifests.
spasm_ensure_node_deps() {
  local dir="$SPASM_ROOT/tests/interop/node" log="$SPASM_STATE_DIR/logs/npm.log"
  local stamp="$dir/node_modules/.package-lock.json"
  [[ -f "$dir/package.json" ]] || return 0
  mkdir -p "$SPASM_STATE_DIR/logs"
  if [[ -f "$stamp" && "$stamp" -nt "$dir/package.json" ]] &&
    { [[ ! -f "$dir/package-lock.json" ]] || [[ "$stamp" -nt "$dir/package-lock.json" ]]; }; then
    return 0
  fi
  local -a npm_cmd=(npm ci --no-audit --no-fund)
  if [[ ! -f "$dir/package-lock.json" ]]; then
    spasm_warn "tests/interop/node has no package-lock.json; using 'npm install' instead of 'npm ci'"
    npm_cmd=(npm install --no-audit --no-fund)
  fi
  spasm_info "installing Node dependencies in tests/interop/node (${npm_cmd[*]})"
  if ! (cd "$dir" && "${npm_cmd[@]}") >"$log" 2>&1; then
    spasm_show_log_tail "$log" 40
    spasm_die "${npm_cmd[*]} failed in tests/interop/node"
  fi
}

# ---------------------------------------------------------------------------------------
# Processes and ports
# ---------------------------------------------------------------------------------------

# True when something accepts TCP connections on 127.0.0.1:port.
spasm_port_open() {
  local port="$1"
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# True when pid names a live process. A zombie counts as gone: where PID 1 is not an
# init that reaps orphans, a stopped daemon can linger as a zombie indefinitely.
spasm_pid_alive() {
  local pid="$1" stat
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat%% *}" != Z ]]
}

# True when pid is alive and its command line contains the given text (guards against
# a stale pid file whose number now belongs to another process).
spasm_pid_matches() {
  local pid="$1" needle="$2" cmdline
  spasm_pid_alive "$pid" || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *"$needle"* ]]
}

# Waits up to N seconds for pid to exit.
spasm_wait_exit() {
  local pid="$1" seconds="$2" i
  for ((i = 0; i < seconds * 10; i++)); do
    spasm_pid_alive "$pid" || return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------------------

spasm_pg_log() { printf '%s\n' "$SPASM_STATE_DIR/logs/postgres.log"; }

spasm_psql() {
  local bindir psql
  bindir="$(spasm_pg_bindir)" || spasm_die "PostgreSQL is not installed"
  psql="$bindir/psql"
  [[ -x "$psql" ]] || psql="$(command -v psql)"
  PGPASSWORD="$SPASM_DB_PASSWORD" PGCONNECT_TIMEOUT=5 "$psql" -X \
    -h 127.0.0.1 -p "$SPASM_PG_PORT" -U "$SPASM_DB_USER" "$@"
}

# True when the cluster's postmaster is running (whatever it listens on).
spasm_pg_running() {
  local bindir
  [[ -f "$SPASM_PG_DATA/PG_VERSION" ]] || return 1
  spasm_run_user_exists || ! spasm_is_root || return 1
  bindir="$(spasm_pg_bindir)" || return 1
  (cd / && spasm_as_daemon_user "$bindir/pg_ctl" status -D "$SPASM_PG_DATA" >/dev/null 2>&1)
}

# True when the cluster answers queries as spasm/spasm on the configured port.
spasm_pg_ready() {
  spasm_psql -d "$SPASM_DB_NAME" -tAqc 'SELECT 1' >/dev/null 2>&1
}

spasm_pg_init() {
  local bindir="$1" log pwfile rc=0
  log="$(spasm_pg_log)"
  if [[ -d "$SPASM_PG_DATA" ]] && [[ -n "$(ls -A "$SPASM_PG_DATA" 2>/dev/null)" ]]; then
    spasm_die "$SPASM_PG_DATA is not empty but holds no PostgreSQL cluster; remove it and retry"
  fi
  spasm_info "initialising a PostgreSQL cluster in $(spasm_pretty_path "$SPASM_STATE_DIR")/postgres"
  spasm_daemon_dir "$SPASM_PG_DATA" 700
  pwfile="$(mktemp)"
  printf '%s\n' "$SPASM_DB_PASSWORD" | spasm_daemon_file "$pwfile" 600
  (cd / && spasm_as_daemon_user "$bindir/initdb" -D "$SPASM_PG_DATA" -U "$SPASM_DB_USER" \
    --pwfile="$pwfile" --auth=scram-sha-256 --encoding=UTF8 --no-locale) >>"$log" 2>&1 || rc=$?
  rm -f "$pwfile"
  if ((rc != 0)); then
    spasm_show_log_tail "$log"
    spasm_die "initdb failed"
  fi
  # Password authentication only, and only over loopback TCP (no Unix socket is opened).
  spasm_daemon_file "$SPASM_PG_DATA/pg_hba.conf" 600 <<'EOF'
# Written by SpasmPlatform ./spasm: password (SCRAM) authentication over loopback only.
# TYPE  DATABASE  USER  ADDRESS        METHOD
host    all       all   127.0.0.1/32   scram-sha-256
host    all       all   ::1/128        scram-sha-256
EOF
  printf "\n# SpasmPlatform: settings rewritten by ./spasm on every start.\ninclude_if_exists = 'spasm.conf'\n" \
    >>"$SPASM_PG_DATA/postgresql.conf"
}

# Creates the spasm database when it is missing.
spasm_pg_ensure_db() {
  local exists
  exists="$(spasm_psql -d postgres -tAqc "SELECT 1 FROM pg_database WHERE datname = '$SPASM_DB_NAME'")" ||
    spasm_die "cannot query postgres on 127.0.0.1:$SPASM_PG_PORT as $SPASM_DB_USER"
  if [[ "$exists" != 1 ]]; then
    spasm_psql -d postgres -qc "CREATE DATABASE \"$SPASM_DB_NAME\" OWNER \"$SPASM_DB_USER\"" >/dev/null ||
      spasm_die "cannot create database '$SPASM_DB_NAME'"
  fi
  spasm_pg_ready || spasm_die "database '$SPASM_DB_NAME' is not reachable"
}

spasm_pg_start() {
  local bindir log
  local -a cmd
  spasm_ensure_run_user
  spasm_resolve_paths yes
  bindir="$(spasm_pg_bindir)" || spasm_die "PostgreSQL server binaries not found"
  log="$(spasm_pg_log)"
  [[ -f "$SPASM_PG_DATA/PG_VERSION" ]] || spasm_pg_init "$bindir"
  if spasm_pg_running; then
    spasm_psql -d postgres -tAqc 'SELECT 1' >/dev/null 2>&1 ||
      spasm_die "postgres is running from $SPASM_PG_DATA but does not answer on 127.0.0.1:$SPASM_PG_PORT (started with another SPASM_PG_PORT?); run './spasm down' first"
    spasm_pg_ensure_db
    spasm_info "postgres already running on 127.0.0.1:$SPASM_PG_PORT"
    return 0
  fi
  if spasm_port_open "$SPASM_PG_PORT"; then
    spasm_die "port $SPASM_PG_PORT is already in use by another program; set SPASM_PG_PORT to a free port"
  fi
  spasm_daemon_file "$SPASM_PG_DATA/spasm.conf" 600 <<EOF
# Written by SpasmPlatform ./spasm on every start; change deploy/local/lib.sh instead.
listen_addresses = '127.0.0.1'
port = $SPASM_PG_PORT
unix_socket_directories = ''
password_encryption = 'scram-sha-256'
max_connections = 200
EOF
  spasm_info "starting postgres on 127.0.0.1:$SPASM_PG_PORT"
  printf '\n==== %s: starting postgres ====\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" >>"$log"
  # No -l: the postmaster keeps the log file that this shell opened for pg_ctl, so the
  # log can live in .spasm/logs whatever user the server runs as. setsid detaches the
  # server from the terminal so a later Ctrl-C does not reach it.
  cmd=("$bindir/pg_ctl" start -D "$SPASM_PG_DATA" -w -t "$SPASM_START_WAIT")
  if spasm_is_root; then
    cmd=(runuser -u "$SPASM_RUN_USER" -- "${cmd[@]}")
  fi
  if ! (cd / && setsid -w "${cmd[@]}" </dev/null) >>"$log" 2>&1; then
    spasm_show_log_tail "$log"
    spasm_die "postgres failed to start"
  fi
  spasm_pg_ensure_db
}

spasm_pg_stop() {
  local bindir log
  spasm_resolve_paths no
  spasm_pg_running || return 0
  bindir="$(spasm_pg_bindir)"
  log="$(spasm_pg_log)"
  spasm_info "stopping postgres"
  (cd / && spasm_as_daemon_user "$bindir/pg_ctl" stop -D "$SPASM_PG_DATA" -m fast -w \
    -t "$SPASM_START_WAIT") >>"$log" 2>&1 || {
    spasm_show_log_tail "$log"
    spasm_die "postgres did not stop"
  }
}

# ---------------------------------------------------------------------------------------
# RabbitMQ
# ---------------------------------------------------------------------------------------

spasm_rabbit_log() { printf '%s\n' "$SPASM_STATE_DIR/logs/rabbitmq.log"; }

# Fills the named array with the environment of the private node and of the CLI tools
# talking to it. The node gets its own epmd on SPASM_EPMD_PORT, bound to loopback like
# the Erlang distribution listener, so it neither clashes with a system node nor leaves
# anything listening outside the machine.
spasm_rabbit_env() {
  local -n _env="$1"
  _env=(
    "HOME=$SPASM_RMQ_DIR/home"
    "LC_ALL=C.UTF-8"
    "RABBITMQ_NODENAME=$SPASM_RABBITMQ_NODE"
    "RABBITMQ_DIST_PORT=$SPASM_RABBITMQ_DIST_PORT"
    "RABBITMQ_MNESIA_BASE=$SPASM_RMQ_DIR/mnesia"
    "RABBITMQ_LOG_BASE=$SPASM_RMQ_DIR/log"
    "RABBITMQ_PID_FILE=$SPASM_RMQ_DIR/rabbitmq.pid"
    "RABBITMQ_CONFIG_FILE=$SPASM_RMQ_DIR/rabbitmq.conf"
    "RABBITMQ_ADVANCED_CONFIG_FILE=$SPASM_RMQ_DIR/advanced.config"
    "RABBITMQ_CONF_ENV_FILE=$SPASM_RMQ_DIR/rabbitmq-env.conf"
    "RABBITMQ_ENABLED_PLUGINS_FILE=$SPASM_RMQ_DIR/enabled_plugins"
    "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
    "RABBITMQ_CTL_ERL_ARGS=-kernel inet_dist_use_interface {127,0,0,1}"
    "ERL_EPMD_PORT=$SPASM_EPMD_PORT"
    "ERL_EPMD_ADDRESS=127.0.0.1"
    "ERL_CRASH_DUMP=$SPASM_RMQ_DIR/log/erl_crash.dump"
  )
}

# Runs one of the RabbitMQ CLI tools (rabbitmqctl, rabbitmq-diagnostics, ...) against
# the private node, as the daemon user with the node's cookie.
spasm_rabbit_tool() {
  local tool="$1" sbin
  shift
  local -a env
  sbin="$(spasm_rabbit_sbin)" || spasm_die "RabbitMQ is not installed"
  spasm_rabbit_env env
  (cd "$SPASM_RMQ_DIR" && spasm_as_daemon_user env "${env[@]}" "$sbin/$tool" \
    -n "$SPASM_RABBITMQ_NODE" "$@")
}

spasm_rabbitmqctl() { spasm_rabbit_tool rabbitmqctl "$@"; }

# The OS pid of the node's Erlang VM, when it is running.
spasm_rabbit_pid() {
  local pid
  [[ -r "$SPASM_RMQ_DIR/rabbitmq.pid" ]] || return 1
  pid="$(tr -dc '0-9' <"$SPASM_RMQ_DIR/rabbitmq.pid")"
  # The node name is not on the VM's command line, but its private HOME is.
  spasm_pid_matches "$pid" "-home $SPASM_RMQ_DIR/home" || return 1
  printf '%s\n' "$pid"
}

spasm_rabbit_running() { spasm_rabbit_pid >/dev/null; }

spasm_rabbit_ready() {
  spasm_rabbit_running && spasm_port_open "$SPASM_AMQP_PORT"
}

spasm_rabbit_prepare() {
  local cookie
  spasm_daemon_dir "$SPASM_RMQ_DIR" 750
  spasm_daemon_dir "$SPASM_RMQ_DIR/home" 700
  spasm_daemon_dir "$SPASM_RMQ_DIR/mnesia" 750
  spasm_daemon_dir "$SPASM_RMQ_DIR/log" 750
  if [[ ! -s "$SPASM_RMQ_DIR/home/.erlang.cookie" ]]; then
    cookie="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F')"
    printf '%s' "$cookie" | spasm_daemon_file "$SPASM_RMQ_DIR/home/.erlang.cookie" 400
  fi
  spasm_daemon_file "$SPASM_RMQ_DIR/rabbitmq.conf" 640 <<EOF
# Written by SpasmPlatform ./spasm on every start; change deploy/local/lib.sh instead.
listeners.tcp.1 = 127.0.0.1:$SPASM_AMQP_PORT
default_user = $SPASM_MQ_USER
default_pass = $SPASM_MQ_PASSWORD
default_vhost = /
default_user_tags.administrator = true
default_permissions.configure = .*
default_permissions.read = .*
default_permissions.write = .*
log.console = true
log.console.level = info
log.file = false
EOF
  printf '[].\n' | spasm_daemon_file "$SPASM_RMQ_DIR/enabled_plugins" 640
  printf '# SpasmPlatform: the node is configured by environment variables set by ./spasm.\n' |
    spasm_daemon_file "$SPASM_RMQ_DIR/rabbitmq-env.conf" 640
}

# Makes sure the spasm user exists with full permissions on vhost "/" (the node creates
# it on first boot from default_user; this repairs older data directories).
spasm_rabbit_ensure_user() {
  local users
  users="$(spasm_rabbitmqctl -q list_users)" || spasm_die "rabbitmqctl list_users failed"
  if ! awk -v u="$SPASM_MQ_USER" '$1 == u { found = 1 } END { exit !found }' <<<"$users"; then
    spasm_rabbitmqctl -q add_user "$SPASM_MQ_USER" "$SPASM_MQ_PASSWORD" >/dev/null
  fi
  spasm_rabbitmqctl -q set_user_tags "$SPASM_MQ_USER" administrator >/dev/null
  spasm_rabbitmqctl -q set_permissions -p / "$SPASM_MQ_USER" '.*' '.*' '.*' >/dev/null
}

spasm_rabbit_start() {
  local sbin log launcher deadline
  local -a env cmd
  spasm_ensure_run_user
  spasm_resolve_paths yes
  sbin="$(spasm_rabbit_sbin)" || spasm_die "RabbitMQ is not installed"
  log="$(spasm_rabbit_log)"
  if spasm_rabbit_running; then
    if spasm_rabbit_ready; then
      spasm_info "rabbitmq already running on 127.0.0.1:$SPASM_AMQP_PORT (node $SPASM_RABBITMQ_NODE)"
      return 0
    fi
    spasm_die "rabbitmq node $SPASM_RABBITMQ_NODE is running but not listening on 127.0.0.1:$SPASM_AMQP_PORT; run './spasm down' first"
  fi
  local port
  for port in "$SPASM_AMQP_PORT" "$SPASM_RABBITMQ_DIST_PORT"; do
    if spasm_port_open "$port"; then
      spasm_die "port $port is already in use by another program; set SPASM_AMQP_PORT / SPASM_RABBITMQ_DIST_PORT to free ports"
    fi
  done
  spasm_rabbit_prepare
  spasm_rabbit_env env
  cmd=(env "${env[@]}" "$sbin/rabbitmq-server")
  if spasm_is_root; then
    cmd=(runuser -u "$SPASM_RUN_USER" -- "${cmd[@]}")
  fi
  spasm_info "starting rabbitmq on 127.0.0.1:$SPASM_AMQP_PORT (node $SPASM_RABBITMQ_NODE)"
  printf '\n==== %s: starting node %s ====\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" \
    "$SPASM_RABBITMQ_NODE" >>"$log"
  (cd "$SPASM_RMQ_DIR" && exec setsid "${cmd[@]}") </dev/null >>"$log" 2>&1 &
  launcher=$!
  deadline=$((SECONDS + SPASM_START_WAIT))
  until spasm_rabbit_ready; do
    if ! spasm_pid_alive "$launcher"; then
      spasm_show_log_tail "$log"
      spasm_die "rabbitmq exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      spasm_show_log_tail "$log"
      spasm_die "rabbitmq did not start within ${SPASM_START_WAIT}s"
    fi
    sleep 0.5
  done
  spasm_rabbitmqctl -q await_startup --timeout "$SPASM_START_WAIT" >/dev/null 2>>"$log" || {
    spasm_show_log_tail "$log"
    spasm_die "rabbitmq did not finish booting"
  }
  spasm_rabbit_ensure_user
}

# Stops the private epmd when no node is registered with it any more.
spasm_epmd_stop() {
  local epmd names
  epmd="$(command -v epmd 2>/dev/null || true)"
  [[ -n "$epmd" ]] || return 0
  spasm_port_open "$SPASM_EPMD_PORT" || return 0
  names="$(ERL_EPMD_PORT="$SPASM_EPMD_PORT" "$epmd" -names 2>/dev/null || true)"
  if grep -q '^name ' <<<"$names"; then
    return 0
  fi
  ERL_EPMD_PORT="$SPASM_EPMD_PORT" "$epmd" -kill >/dev/null 2>&1 || true
}

spasm_rabbit_stop() {
  local pid log
  spasm_resolve_paths no
  if pid="$(spasm_rabbit_pid)"; then
    log="$(spasm_rabbit_log)"
    spasm_info "stopping rabbitmq (node $SPASM_RABBITMQ_NODE)"
    if ! spasm_rabbitmqctl -q stop >>"$log" 2>&1; then
      spasm_warn "rabbitmqctl stop failed; sending SIGTERM to pid $pid"
      kill -TERM "$pid" 2>/dev/null || true
    fi
    if ! spasm_wait_exit "$pid" "$SPASM_START_WAIT"; then
      spasm_warn "rabbitmq (pid $pid) did not exit; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      spasm_wait_exit "$pid" 10 || spasm_die "could not stop rabbitmq (pid $pid)"
    fi
  fi
  spasm_epmd_stop
}

# ---------------------------------------------------------------------------------------
# Connection details
# ---------------------------------------------------------------------------------------

spasm_postgres_connection() {
  printf 'Host=127.0.0.1;Port=%s;Username=%s;Password=%s;Database=%s\n' \
    "$SPASM_PG_PORT" "$SPASM_DB_USER" "$SPASM_DB_PASSWORD" "$SPASM_DB_NAME"
}

spasm_rabbitmq_connection() {
  printf 'amqp://%s:%s@127.0.0.1:%s/\n' "$SPASM_MQ_USER" "$SPASM_MQ_PASSWORD" "$SPASM_AMQP_PORT"
}

# Writes .spasm/env (shell-sourceable) and exports the same variables here.
spasm_write_env() {
  local file="$SPASM_STATE_DIR/env" pg mq tmp
  pg="$(spasm_postgres_connection)"
  mq="$(spasm_rabbitmq_connection)"
  tmp="$(mktemp "$SPASM_STATE_DIR/env.XXXXXX")"
  {
    printf '# Written by ./spasm; regenerated by every "./spasm up" and "./spasm test".\n'
    printf '# Load it with:  . .spasm/env\n'
    printf 'export SPASM_POSTGRES="%s"\n' "$pg"
    printf 'export SPASM_RABBITMQ="%s"\n' "$mq"
    printf 'export ConnectionStrings__Postgres="%s"\n' "$pg"
    printf 'export ConnectionStrings__RabbitMq="%s"\n' "$mq"
    printf 'export SPASM_ASSESSMENT_ADDRESS="%s"\n' "$(spasm_service_address assessment)"
    printf 'export SPASM_KNOWLEDGE_ADDRESS="%s"\n' "$(spasm_service_address knowledge)"
    printf 'export SPASM_CAREPLAN_ADDRESS="%s"\n' "$(spasm_service_address care-plan)"
    if [[ "$SPASM_SECURITY" == mtls ]]; then
      # spasm-cli's identity: the demo clinic's system; other roles' certificates are beside it.
      printf 'export SPASM_CERTS="%s"\n' "$SPASM_STATE_DIR/certs"
      printf 'export SPASM_CA_CERT="%s"\n' "$SPASM_STATE_DIR/certs/ca.pem"
      printf 'export SPASM_CLIENT_CERT="%s"\n' "$SPASM_STATE_DIR/certs/clinic-system.pem"
      printf 'export SPASM_CLIENT_KEY="%s"\n' "$SPASM_STATE_DIR/certs/clinic-system-key.pem"
    fi
  } >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$file"
  # shellcheck source=/dev/null
  source "$file"
}

# ---------------------------------------------------------------------------------------
# Infrastructure as a whole
# ---------------------------------------------------------------------------------------

spasm_infra_up() {
  spasm_ensure_infra_packages
  spasm_pg_start
  spasm_rabbit_start
  [[ "$SPASM_SECURITY" != mtls ]] || spasm_certs_ensure
  spasm_write_env
}

# ---------------------------------------------------------------------------------------
# Development certificates (mutual TLS)
# ---------------------------------------------------------------------------------------

# Issues one certificate of the development CA: $1 file name, $2 subject, $3 extendedKeyUsage, $4 extra extensions.
spasm_cert_issue() {
  local dir="$SPASM_STATE_DIR/certs" name="$1" subject="$2" eku="$3" extra="${4:-}"
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "$subject" \
    -keyout "$dir/$name-key.pem" -out "$dir/$name.csr" 2>/dev/null || return 1
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial \
    -days 90 -sha256 -out "$dir/$name.pem" -extfile <(
      printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\n%s\n' "$eku" "$extra"
    ) 2>/dev/null || return 1
  rm -f "$dir/$name.csr"
  # Service keys are read by the containers' non-root user (docker compose mounts this folder); people's keys
  # stay private. Development certificates only: production takes its certificates from configuration.
  case "$name" in
  assessment | knowledge | care-plan | console | console-https) chmod 644 "$dir/$name-key.pem" ;;
  *) chmod 600 "$dir/$name-key.pem" ;;
  esac
}

# A development CA and certificates under .spasm/certs, made once and remade when any expires within a day:
# one per service (role "service", valid for localhost and 127.0.0.1, also used to call the other services) and
# one per role for people's tools, all for the clinic "clinic-demo" the samples use.
spasm_certs_ensure() {
  local dir="$SPASM_STATE_DIR/certs" name
  command -v openssl >/dev/null || spasm_die "openssl is needed for the development certificates (apt-get install openssl), or run with SPASM_SECURITY=development"
  if [[ -f "$dir/ca.pem" && -f "$dir/clinic-system.pem" && -f "$dir/console.pem" ]] &&
    openssl x509 -checkend 86400 -noout -in "$dir/ca.pem" >/dev/null 2>&1 &&
    openssl x509 -checkend 86400 -noout -in "$dir/clinic-system.pem" >/dev/null 2>&1; then
    return 0
  fi
  spasm_info "creating a development CA and certificates in $(spasm_pretty_path "$dir")"
  rm -rf "$dir"
  mkdir -p "$dir"
  chmod 755 "$dir"
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 -sha256 \
    -subj "/CN=SpasmPlatform Development CA" -keyout "$dir/ca-key.pem" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null ||
    spasm_die "openssl could not create the development CA"
  chmod 600 "$dir/ca-key.pem"
  for name in assessment knowledge care-plan; do
    spasm_cert_issue "$name" "/CN=$name/OU=service" serverAuth,clientAuth \
      "subjectAltName=DNS:localhost,IP:127.0.0.1,DNS:$name" || spasm_die "openssl could not issue the $name certificate"
  done
  spasm_cert_issue clinic-system "/CN=demo-ehr/OU=clinic-system/O=clinic-demo" clientAuth &&
    spasm_cert_issue physiotherapist "/CN=demo-physio-tool/OU=physiotherapist/O=clinic-demo" clientAuth &&
    spasm_cert_issue data-controller "/CN=demo-dpo/OU=data-controller/O=clinic-demo" clientAuth &&
    spasm_cert_issue auditor "/CN=demo-auditor/OU=auditor" clientAuth &&
    spasm_cert_issue knowledge-editor "/CN=demo-editor/OU=knowledge-editor" clientAuth &&
    spasm_cert_issue console "/CN=web-console/OU=console" clientAuth &&
    spasm_cert_issue console-https "/CN=localhost" serverAuth "subjectAltName=DNS:localhost,IP:127.0.0.1" ||
    spasm_die "openssl could not issue the client certificates"
}

# The environment a service needs for its security mode.
spasm_service_security_env() {
  local name="$1" dir="$SPASM_STATE_DIR/certs"
  if [[ "$SPASM_SECURITY" == mtls ]]; then
    printf '%s\n' "Security__Mode=MutualTls" "Security__Certificate=$dir/$name.pem" \
      "Security__CertificateKey=$dir/$name-key.pem" "Security__TrustedCa=$dir/ca.pem"
  else
    printf '%s\n' "Security__Mode=Development"
  fi
}

spasm_infra_down() {
  spasm_rabbit_stop
  spasm_pg_stop
}

# True when both daemons are running.
spasm_infra_running() {
  spasm_resolve_paths no
  spasm_pg_running && spasm_rabbit_running
}

# ---------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------

spasm_service_port() {
  case "$1" in
  assessment) printf '%s\n' "$SPASM_ASSESSMENT_PORT" ;;
  knowledge) printf '%s\n' "$SPASM_KNOWLEDGE_PORT" ;;
  care-plan) printf '%s\n' "$SPASM_CAREPLAN_PORT" ;;
  *) return 1 ;;
  esac
}

spasm_service_dll() {
  case "$1" in
  assessment) printf '%s\n' "$SPASM_ROOT/services/Assessment/SpasmPlatform.Assessment/bin/Release/net10.0/SpasmPlatform.Assessment.dll" ;;
  knowledge) printf '%s\n' "$SPASM_ROOT/services/Knowledge/SpasmPlatform.Knowledge/bin/Release/net10.0/SpasmPlatform.Knowledge.dll" ;;
  care-plan) printf '%s\n' "$SPASM_ROOT/services/CarePlan/SpasmPlatform.CarePlan/bin/Release/net10.0/SpasmPlatform.CarePlan.dll" ;;
  *) return 1 ;;
  esac
}

spasm_service_address() {
  local scheme=http
  [[ "$SPASM_SECURITY" != mtls ]] || scheme=https
  printf '%s://127.0.0.1:%s\n' "$scheme" "$(spasm_service_port "$1")"
}

# The pid of a running service, from its pid file.
spasm_service_pid() {
  local name="$1" pid dll
  local pidfile="$SPASM_STATE_DIR/run/$name.pid"
  [[ -r "$pidfile" ]] || return 1
  pid="$(tr -dc '0-9' <"$pidfile")"
  dll="$(basename "$(spasm_service_dll "$name")")"
  spasm_pid_matches "$pid" "$dll" || return 1
  printf '%s\n' "$pid"
}

# The master key that wraps the services' per-patient clinical-notes keys: generated once and kept in
# .spasm/notes.key (readable by the caller only). Losing it makes every stored note unreadable.
spasm_notes_key_file() {
  local file="$SPASM_STATE_DIR/notes.key" tmp
  if [[ ! -s "$file" ]]; then
    mkdir -p "$SPASM_STATE_DIR"
    tmp="$(mktemp "$SPASM_STATE_DIR/notes.key.XXXXXX")"
    chmod 600 "$tmp"
    head -c 32 /dev/urandom | base64 >"$tmp"
    mv -f "$tmp" "$file"
  fi
  printf '%s\n' "$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
}

spasm_service_start() {
  local name="$1" port dll log pidfile i notes_key
  local -a security=()
  mapfile -t security < <(spasm_service_security_env "$name")
  port="$(spasm_service_port "$name")"
  dll="$(spasm_service_dll "$name")"
  log="$SPASM_STATE_DIR/logs/$name.log"
  pidfile="$SPASM_STATE_DIR/run/$name.pid"
  if spasm_service_pid "$name" >/dev/null; then
    spasm_info "$name already running"
    return 0
  fi
  [[ -f "$dll" ]] || spasm_die "$(spasm_pretty_path "$dll") does not exist; the build did not produce it"
  if spasm_port_open "$port"; then
    spasm_die "port $port ($name) is already in use by another program"
  fi
  rm -f "$pidfile"
  notes_key="$(spasm_notes_key_file)"
  printf '\n==== %s: starting %s on 127.0.0.1:%s ====\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" \
    "$name" "$port" >>"$log"
  # The launcher records its own pid and then becomes the service (exec keeps the pid).
  # The working directory is the build output so the host finds its appsettings files.
  # shellcheck disable=SC2016 # $$, $1 and $@ belong to the inner bash.
  (
    cd "$(dirname "$dll")" &&
      exec setsid bash -c 'printf "%s\n" "$$" >"$1"; shift; exec "$@"' spasm-launch "$pidfile" \
        env "Grpc__Port=$port" "Grpc__BindAddress=127.0.0.1" \
        "Knowledge__Address=$(spasm_service_address knowledge)" \
        "CarePlan__Address=$(spasm_service_address care-plan)" "${security[@]}" \
        "Security__NotesKeyFile=$notes_key" dotnet "$dll"
  ) </dev/null >>"$log" 2>&1 &
  for ((i = 0; i < 50; i++)); do
    [[ -s "$pidfile" ]] && break
    sleep 0.1
  done
  [[ -s "$pidfile" ]] || spasm_die "$name did not start (no pid file)"
  spasm_info "started $name (pid $(<"$pidfile")) on $(spasm_service_address "$name")"
}

spasm_service_stop() {
  local name="$1" pid
  local pidfile="$SPASM_STATE_DIR/run/$name.pid"
  if pid="$(spasm_service_pid "$name")"; then
    spasm_info "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! spasm_wait_exit "$pid" 30; then
      spasm_warn "$name (pid $pid) did not exit after SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      spasm_wait_exit "$pid" 10 || spasm_die "could not stop $name (pid $pid)"
    fi
  fi
  rm -f "$pidfile"
}

# Runs spasm-cli as the demo clinic's system. Commands like `status` run without .spasm/env loaded, and the CLI
# looks for .spasm/env only above its working directory, so the development certificates are named here.
spasm_cli() {
  if [[ "$SPASM_SECURITY" == mtls ]]; then
    SPASM_CA_CERT="${SPASM_CA_CERT:-$SPASM_STATE_DIR/certs/ca.pem}" \
      SPASM_CLIENT_CERT="${SPASM_CLIENT_CERT:-$SPASM_STATE_DIR/certs/clinic-system.pem}" \
      SPASM_CLIENT_KEY="${SPASM_CLIENT_KEY:-$SPASM_STATE_DIR/certs/clinic-system-key.pem}" \
      dotnet "$SPASM_CLI_DLL" "$@"
    return
  fi
  dotnet "$SPASM_CLI_DLL" "$@"
}

# Asks the service's gRPC health endpoint; extra arguments go to the CLI (e.g. --wait 60).
spasm_service_health() {
  local name="$1"
  shift
  [[ -f "$SPASM_CLI_DLL" ]] || return 2
  spasm_cli health --address "$(spasm_service_address "$name")" "$@"
}

# ---------------------------------------------------------------------------------------
# Console
# ---------------------------------------------------------------------------------------

SPASM_CONSOLE_DLL="$SPASM_ROOT/services/Console/SpasmPlatform.Console/bin/Release/net10.0/SpasmPlatform.Console.dll"

spasm_console_address() { printf 'https://127.0.0.1:%s\n' "$SPASM_CONSOLE_PORT"; }

spasm_console_pid() {
  local pid pidfile="$SPASM_STATE_DIR/run/console.pid"
  [[ -r "$pidfile" ]] || return 1
  pid="$(tr -dc '0-9' <"$pidfile")"
  spasm_pid_matches "$pid" "$(basename "$SPASM_CONSOLE_DLL")" || return 1
  printf '%s\n' "$pid"
}

# Starts the console as a gRPC client of the three services with its own certificate (role console), its HTTPS
# certificate from the development CA, and the demo people's sign-in (which only listens on loopback).
spasm_console_start() {
  local dir="$SPASM_STATE_DIR/certs" log="$SPASM_STATE_DIR/logs/console.log" pidfile="$SPASM_STATE_DIR/run/console.pid" i
  local -a calling=()
  if spasm_console_pid >/dev/null; then
    spasm_info "console already running"
    return 0
  fi
  [[ -f "$SPASM_CONSOLE_DLL" ]] || spasm_die "$(spasm_pretty_path "$SPASM_CONSOLE_DLL") does not exist; the build did not produce it"
  spasm_port_open "$SPASM_CONSOLE_PORT" && spasm_die "port $SPASM_CONSOLE_PORT (console) is already in use by another program"
  spasm_certs_ensure
  if [[ "$SPASM_SECURITY" == mtls ]]; then
    calling=("Console__ClientCertificate=$dir/console.pem" "Console__ClientCertificateKey=$dir/console-key.pem" "Console__TrustedCa=$dir/ca.pem")
  fi
  mkdir -p "$SPASM_STATE_DIR/run" "$SPASM_STATE_DIR/logs"
  rm -f "$pidfile"
  printf '\n==== %s: starting console on 127.0.0.1:%s ====\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$SPASM_CONSOLE_PORT" >>"$log"
  # shellcheck disable=SC2016 # $$, $1 and $@ belong to the inner bash.
  (
    cd "$(dirname "$SPASM_CONSOLE_DLL")" &&
      exec setsid bash -c 'printf "%s\n" "$$" >"$1"; shift; exec "$@"' spasm-launch "$pidfile" \
        env "Console__SignIn=Development" "Console__BindAddress=127.0.0.1" "Console__Port=$SPASM_CONSOLE_PORT" \
        "Console__HttpsCertificate=$dir/console-https.pem" "Console__HttpsCertificateKey=$dir/console-https-key.pem" \
        "Console__Services__Assessment=$(spasm_service_address assessment)" \
        "Console__Services__Knowledge=$(spasm_service_address knowledge)" \
        "Console__Services__CarePlan=$(spasm_service_address care-plan)" "${calling[@]}" \
        "ConnectionStrings__RabbitMq=$(spasm_rabbitmq_connection)" dotnet "$SPASM_CONSOLE_DLL"
  ) </dev/null >>"$log" 2>&1 &
  for ((i = 0; i < 50; i++)); do
    [[ -s "$pidfile" ]] && break
    sleep 0.1
  done
  [[ -s "$pidfile" ]] || spasm_die "the console did not start (no pid file)"
  spasm_info "started console (pid $(<"$pidfile")) on $(spasm_console_address)"
}

# Waits up to $1 seconds for the sign-in page to answer over HTTPS (the development CA's certificate).
spasm_console_ready() {
  local wait="${1:-0}" i
  for ((i = 0; i <= wait * 2; i++)); do
    if curl -fsS -o /dev/null --max-time 3 --cacert "$SPASM_STATE_DIR/certs/ca.pem" "$(spasm_console_address)/signin" 2>/dev/null; then
      return 0
    fi
    ((wait == 0)) && return 1
    sleep 0.5
  done
  return 1
}

spasm_console_stop() {
  local pid pidfile="$SPASM_STATE_DIR/run/console.pid"
  if pid="$(spasm_console_pid)"; then
    spasm_info "stopping console (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    if ! spasm_wait_exit "$pid" 30; then
      kill -KILL "$pid" 2>/dev/null || true
      spasm_wait_exit "$pid" 10 || spasm_die "could not stop the console (pid $pid)"
    fi
  fi
  rm -f "$pidfile"
}
