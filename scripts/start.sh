#!/usr/bin/env bash
# Starts a local Stocknerve: nats-server (deploy/nats-server.conf), the hub, the demo data, and a
# store node. Ctrl-C stops everything.
#
# Environment (defaults): STOCKNERVE_NATS_PORT (7422), STOCKNERVE_NATS_WS_PORT (7423),
# STOCKNERVE_NATS_STORE_DIR (.data/nats), HUB_PORT (7480), HUB_DB (.data/hub/views.sqlite).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

section 'setup'
stocknerve_setup
section 'build'
build_all

export STOCKNERVE_NATS_PORT="${STOCKNERVE_NATS_PORT:-7422}"
export STOCKNERVE_NATS_WS_PORT="${STOCKNERVE_NATS_WS_PORT:-7423}"
export STOCKNERVE_NATS_STORE_DIR="${STOCKNERVE_NATS_STORE_DIR:-$ROOT/.data/nats}"
export HUB_PORT="${HUB_PORT:-7480}"
export HUB_DB="${HUB_DB:-$ROOT/.data/hub/views.sqlite}"
export NATS_URL="nats://127.0.0.1:$STOCKNERVE_NATS_PORT"
# Operator mode, as in production: the demo has its own trust chain (docs/runbook.md, "Security").
export HUB_IDENTITY_DIR="${HUB_IDENTITY_DIR:-$ROOT/.data/identity}"
export NATS_CREDS="${NATS_CREDS:-$HUB_IDENTITY_DIR/hub.creds}"
# Demo tokens (one per role): a hub refuses them in production or beyond loopback, and this one is
# neither. A deployment makes its own with `stocknerve-hub token create` (docs/runbook.md, "Security").
export HUB_ADMIN_TOKEN="${HUB_ADMIN_TOKEN:-demo-admin-token-change-me}"
export HUB_ECOMMERCE_TOKEN="${HUB_ECOMMERCE_TOKEN:-demo-ecommerce-token-change-me}"
export HUB_MANAGER_TOKEN="${HUB_MANAGER_TOKEN:-demo-manager-token-change-me}"
export HUB_TOKENS="${HUB_TOKENS:-$HUB_ADMIN_TOKEN:admin,$HUB_ECOMMERCE_TOKEN:ecommerce,$HUB_MANAGER_TOKEN:manager}"
export HUB_URL="http://127.0.0.1:${HUB_PORT:-7480}"
NATS_WS_URL="ws://127.0.0.1:$STOCKNERVE_NATS_WS_PORT"
mkdir -p "$STOCKNERVE_NATS_STORE_DIR" "$(dirname "$HUB_DB")"

children=()

# Each child runs in its own session (setsid) so that its whole tree (Electron and its helpers)
# can be signalled as one process group.
spawn_group() {
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" &
  else
    "$@" &
  fi
  children+=("$!")
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
  trap - INT TERM
  log 'stopping...'
  stop_children
  exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap stop_children EXIT

# Polls until "$@" succeeds; fails early when process $pid exits, or after $timeout seconds.
wait_until() {
  local what=$1 pid=$2 timeout=$3
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    alive "$pid" || die "$what exited before it was ready (see its output above)"
    ((SECONDS < deadline)) || die "$what was not ready after ${timeout} s"
    sleep 0.5
  done
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }

STORE_NODE_URL="http://127.0.0.1:${STOCKNERVE_STORE_PORT:-5180}"

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
  spawn_group node apps/store-node/dist/electron/start.js
  wait_until 'store node' "${children[-1]}" 120 http_ok "$STORE_NODE_URL/config.json"
}

section "nats-server ($NATS_URL, websocket $NATS_WS_URL, store $STOCKNERVE_NATS_STORE_DIR)"
tcp_open "$STOCKNERVE_NATS_PORT" && die "port $STOCKNERVE_NATS_PORT is already in use (set STOCKNERVE_NATS_PORT)"
rm -f "$STOCKNERVE_OUTAGE_FILE"
node apps/hub/dist/cli.js identity init --dir "$HUB_IDENTITY_DIR" --resolver-dir "$STOCKNERVE_NATS_STORE_DIR/accounts" >/dev/null
spawn_group bash "$ROOT/scripts/run-nats.sh"
wait_until nats-server "${children[-1]}" 15 tcp_open "$STOCKNERVE_NATS_PORT"

section "hub ($HUB_URL, views in $HUB_DB)"
spawn_group node apps/hub/dist/cli.js serve
wait_until hub "${children[-1]}" 60 http_ok "$HUB_URL/health"

section 'demo data'
node apps/hub/dist/cli.js seed-demo

start_store_node

section 'running'
cat >&2 <<INFO
  store node  $STORE_NODE_URL   (a cashier's screen; scan e.g. SKU-1001 or 3760001000016)
  reports     $HUB_URL/reports/login   (sign in with the manager token: $HUB_MANAGER_TOKEN)
  hub API     $HUB_URL/v1/openapi.json   (health: $HUB_URL/health)
  NATS        $NATS_URL
  NATS (ws)   $NATS_WS_URL
Take the stores offline and back: \`npm run outage\` in another terminal. Press Ctrl-C to stop.
INFO

# Runs until a child exits (then stops the rest and reports its status) or a signal arrives.
set +e
wait -n "${children[@]}"
rc=$?
set -e
log "a child process exited (status $rc); stopping the others"
exit "$((rc == 0 ? 1 : rc))"
