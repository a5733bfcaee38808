#!/usr/bin/env bash
# Starts a local Stocknerve: nats-server (deploy/nats-server.conf), the hub, the demo data, and a
# store node. Their output goes to .data/logs/ (nats.log, hub.log, store-node.log); the terminal
# shows the steps and then the URLs. Ctrl-C stops everything.
#
# Environment (defaults): STOCKNERVE_NATS_PORT (7422), STOCKNERVE_NATS_WS_PORT (7423),
# STOCKNERVE_NATS_STORE_DIR (.data/nats), HUB_PORT (7480), HUB_DB (.data/hub/views.sqlite),
# HUB_IDENTITY_DIR (.data/identity), STOCKNERVE_STORE_PORT (5180), STOCKNERVE_DATA_DIR (.data: logs,
# the NATS pid and outage files), STOCKNERVE_SKIP_BUILD (1: no install and no build, for a checkout
# that is already built).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export STOCKNERVE_DATA_DIR="${STOCKNERVE_DATA_DIR:-$ROOT/.data}"
export STOCKNERVE_NATS_PID_FILE="$STOCKNERVE_DATA_DIR/nats-server.pid"
export STOCKNERVE_OUTAGE_FILE="$STOCKNERVE_DATA_DIR/nats-outage"
LOG_DIR="$STOCKNERVE_DATA_DIR/logs"
NATS_LOG="$LOG_DIR/nats.log"
HUB_LOG="$LOG_DIR/hub.log"
STORE_NODE_LOG="$LOG_DIR/store-node.log"

if [[ "${STOCKNERVE_SKIP_BUILD:-}" == 1 ]]; then
  section 'setup (STOCKNERVE_SKIP_BUILD=1: no install, no build)'
  ensure_node
  ensure_nats_server
else
  section 'setup'
  stocknerve_setup
  section 'build'
  build_all
fi

export STOCKNERVE_NATS_PORT="${STOCKNERVE_NATS_PORT:-7422}"
export STOCKNERVE_NATS_WS_PORT="${STOCKNERVE_NATS_WS_PORT:-7423}"
export STOCKNERVE_NATS_STORE_DIR="${STOCKNERVE_NATS_STORE_DIR:-$STOCKNERVE_DATA_DIR/nats}"
export HUB_PORT="${HUB_PORT:-7480}"
export HUB_DB="${HUB_DB:-$STOCKNERVE_DATA_DIR/hub/views.sqlite}"
export STOCKNERVE_STORE_PORT="${STOCKNERVE_STORE_PORT:-5180}"
export NATS_URL="nats://127.0.0.1:$STOCKNERVE_NATS_PORT"
# Operator mode, as in production: the demo has its own trust chain (docs/runbook.md, "Security").
export HUB_IDENTITY_DIR="${HUB_IDENTITY_DIR:-$STOCKNERVE_DATA_DIR/identity}"
export NATS_CREDS="${NATS_CREDS:-$HUB_IDENTITY_DIR/hub.creds}"
# Demo tokens (one per role): a hub refuses them in production or beyond loopback, and this one is
# neither. A deployment makes its own with `stocknerve-hub token create` (docs/runbook.md, "Security").
export HUB_ADMIN_TOKEN="${HUB_ADMIN_TOKEN:-demo-admin-token-change-me}"
export HUB_ECOMMERCE_TOKEN="${HUB_ECOMMERCE_TOKEN:-demo-ecommerce-token-change-me}"
export HUB_MANAGER_TOKEN="${HUB_MANAGER_TOKEN:-demo-manager-token-change-me}"
export HUB_TOKENS="${HUB_TOKENS:-$HUB_ADMIN_TOKEN:admin,$HUB_ECOMMERCE_TOKEN:ecommerce,$HUB_MANAGER_TOKEN:manager}"
export HUB_URL="http://127.0.0.1:$HUB_PORT"
NATS_WS_URL="ws://127.0.0.1:$STOCKNERVE_NATS_WS_PORT"
STORE_NODE_URL="http://127.0.0.1:$STOCKNERVE_STORE_PORT"
mkdir -p "$STOCKNERVE_NATS_STORE_DIR" "$(dirname "$HUB_DB")" "$LOG_DIR"
: >"$NATS_LOG"
: >"$HUB_LOG"
: >"$STORE_NODE_LOG"
# The terminal, for scripts/run-nats.sh to say there when it restarts the server.
exec 3>&2

children=()
declare -A name_of log_of

# Each child runs in its own session (setsid) so that its whole tree (Electron and its helpers)
# can be signalled as one process group, and a Ctrl-C reaches only this script, which stops them
# in order.
spawn_group() {
  local name=$1 log_file=$2
  shift 2
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" >>"$log_file" 2>&1 &
  else
    "$@" >>"$log_file" 2>&1 &
  fi
  children+=("$!")
  name_of[$!]=$name
  log_of[$!]=$log_file
}

show_log_tail() {
  [[ -s "$1" ]] || return 0
  log "--- last lines of $1 ---"
  tail -n 30 "$1" >&2
  log '---'
}

# Runs a one-off command with its output appended to a log; on failure shows the log's tail.
run_logged() {
  local what=$1 log_file=$2
  shift 2
  local rc=0
  "$@" >>"$log_file" 2>&1 || rc=$?
  ((rc == 0)) && return 0
  show_log_tail "$log_file"
  die "$what failed (status $rc; full output in $log_file)"
}

alive() { kill -0 "$1" 2>/dev/null; }

stop_children() {
  local pid i deadline
  # Newest first: the hub stops before the NATS server it is connected to.
  for ((i = ${#children[@]} - 1; i >= 0; i--)); do
    pid="${children[i]}"
    alive "$pid" || continue
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "$pid"; then
      log "process $pid ignored SIGTERM for 10 s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  children=()
}

on_signal() {
  # npm forwards the terminal's Ctrl-C to this script, which then gets it twice: the stop that
  # follows must not be cut short.
  trap '' INT TERM
  log 'stopping...'
  stop_children
  log 'stopped'
  exit "$1"
}
# A Ctrl-C is how a user ends the demo: a clean stop, status 0 (npm reports it as a success).
trap 'on_signal 0' INT
trap 'on_signal 143' TERM
trap stop_children EXIT

# Polls until "$@" succeeds; fails early when process $pid exits, or after $timeout seconds, with
# the tail of its log.
wait_until() {
  local what=$1 pid=$2 timeout=$3
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! alive "$pid"; then
      show_log_tail "${log_of[$pid]}"
      die "$what exited before it was ready (full output in ${log_of[$pid]})"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "${log_of[$pid]}"
      die "$what was not ready after ${timeout} s (full output in ${log_of[$pid]})"
    fi
    sleep 0.5
  done
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }

# A cashier's terminal at store-001: in Electron where its binary is installed, otherwise served
# to the browser (same renderer). Provisioned through the environment (/config.json).
# A one-time code for the demo terminal: it enrolls with it on its first run (a terminal that is
# already enrolled ignores it, and it expires unused).
enrollment_code() {
  node -e '
    const [hub, token, location, node] = process.argv.slice(1);
    fetch(`${hub}/v1/enrollments`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ location, node }),
    })
      .then(async (r) => {
        const body = await r.json();
        if (!r.ok) throw new Error(`${r.status} ${body.message}`);
        console.log(body.code);
      })
      .catch((e) => { console.error(`enrollment code: ${e.message}`); process.exit(1); });
  ' "$HUB_URL" "$HUB_ADMIN_TOKEN" "$1" "$2"
}

start_store_node() {
  section "store node ($STORE_NODE_URL, store-001, node store-001-t1)"
  export STOCKNERVE_LOCATION="${STOCKNERVE_LOCATION:-store-001}"
  export STOCKNERVE_REGION="${STOCKNERVE_REGION:-north}"
  export STOCKNERVE_NODE="${STOCKNERVE_NODE:-store-001-t1}"
  export STOCKNERVE_NATS_URL="${STOCKNERVE_NATS_URL:-$NATS_WS_URL}"
  export STOCKNERVE_HUB_URL="${STOCKNERVE_HUB_URL:-$HUB_URL}"
  STOCKNERVE_ENROLLMENT_CODE="$(enrollment_code "$STOCKNERVE_LOCATION" "$STOCKNERVE_NODE")"
  export STOCKNERVE_ENROLLMENT_CODE
  spawn_group 'store node' "$STORE_NODE_LOG" node apps/store-node/dist/electron/start.js
  wait_until 'store node' "${children[-1]}" 120 http_ok "$STORE_NODE_URL/config.json"
}

for port in "$STOCKNERVE_NATS_PORT:STOCKNERVE_NATS_PORT" "$STOCKNERVE_NATS_WS_PORT:STOCKNERVE_NATS_WS_PORT" \
  "$HUB_PORT:HUB_PORT" "$STOCKNERVE_STORE_PORT:STOCKNERVE_STORE_PORT"; do
  tcp_open "${port%%:*}" && die "port ${port%%:*} is already in use (set ${port#*:})"
done

section "nats-server ($NATS_URL, websocket $NATS_WS_URL, store $STOCKNERVE_NATS_STORE_DIR)"
rm -f "$STOCKNERVE_OUTAGE_FILE"
run_logged 'hub identity init' "$HUB_LOG" \
  node apps/hub/dist/cli.js identity init --dir "$HUB_IDENTITY_DIR" --resolver-dir "$STOCKNERVE_NATS_STORE_DIR/accounts"
spawn_group nats-server "$NATS_LOG" bash "$ROOT/scripts/run-nats.sh"
wait_until nats-server "${children[-1]}" 15 tcp_open "$STOCKNERVE_NATS_PORT"

section "hub ($HUB_URL, views in $HUB_DB)"
spawn_group hub "$HUB_LOG" node apps/hub/dist/cli.js serve
wait_until hub "${children[-1]}" 60 http_ok "$HUB_URL/health"

section 'demo data'
run_logged 'demo data (hub seed-demo)' "$HUB_LOG" node apps/hub/dist/cli.js seed-demo

start_store_node

section 'running'
cat >&2 <<INFO
  store node  $STORE_NODE_URL   (a cashier's screen; scan e.g. SKU-1001 or 3760001000016)
  reports     $HUB_URL/reports/login   (sign in with the manager token: $HUB_MANAGER_TOKEN)
  hub API     $HUB_URL/v1/openapi.json   (health: $HUB_URL/health)
  NATS        $NATS_URL
  NATS (ws)   $NATS_WS_URL
  logs        $LOG_DIR/ (nats.log, hub.log, store-node.log)
Take the stores offline and back: \`npm run outage\` in another terminal. Press Ctrl-C to stop.
INFO

# Runs until a signal arrives, or the hub or the store node exits (then stops the rest and reports
# its status). nats-server going away is an outage the demo survives: the till keeps selling and
# its page stays served (scripts/run-nats.sh restarts the server; this is for when it gives up).
set +e
while :; do
  exited=''
  wait -n -p exited "${children[@]}"
  rc=$?
  [[ -n "$exited" ]] || continue
  remaining=()
  for pid in "${children[@]}"; do [[ "$pid" == "$exited" ]] || remaining+=("$pid"); done
  children=("${remaining[@]}")
  if [[ "${name_of[$exited]}" == nats-server && ${#children[@]} -gt 0 ]]; then
    log "nats-server stopped (status $rc; see $NATS_LOG): the till keeps working offline; Ctrl-C and \`npm start\` again to bring NATS back"
    continue
  fi
  show_log_tail "${log_of[$exited]}"
  log "${name_of[$exited]} exited (status $rc; full output in ${log_of[$exited]}); stopping the others"
  exit "$((rc == 0 ? 1 : rc))"
done
