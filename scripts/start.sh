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

setup_for_start

export STOCKNERVE_NATS_PORT="${STOCKNERVE_NATS_PORT:-7422}"
export STOCKNERVE_NATS_WS_PORT="${STOCKNERVE_NATS_WS_PORT:-7423}"
export STOCKNERVE_NATS_STORE_DIR="${STOCKNERVE_NATS_STORE_DIR:-$STOCKNERVE_DATA_DIR/nats}"
export HUB_PORT="${HUB_PORT:-7480}"
export HUB_DB="${HUB_DB:-$STOCKNERVE_DATA_DIR/hub/views.sqlite}"
export STOCKNERVE_STORE_PORT="${STOCKNERVE_STORE_PORT:-5180}"
export NATS_URL="nats://127.0.0.1:$STOCKNERVE_NATS_PORT"
export_demo_hub_env
export HUB_URL="http://127.0.0.1:$HUB_PORT"
NATS_WS_URL="ws://127.0.0.1:$STOCKNERVE_NATS_WS_PORT"
STORE_NODE_URL="http://127.0.0.1:$STOCKNERVE_STORE_PORT"
mkdir -p "$STOCKNERVE_NATS_STORE_DIR" "$(dirname "$HUB_DB")" "$LOG_DIR"
: >"$NATS_LOG"
: >"$HUB_LOG"
: >"$STORE_NODE_LOG"
# The terminal, for scripts/run-nats.sh to say there when it restarts the server.
exec 3>&2

# Process helpers (spawn_group, wait_until, start_store_node, ...) are in scripts/lib.sh.
supervisor_init

require_free_ports "$STOCKNERVE_NATS_PORT:STOCKNERVE_NATS_PORT" "$STOCKNERVE_NATS_WS_PORT:STOCKNERVE_NATS_WS_PORT" \
  "$HUB_PORT:HUB_PORT" "$STOCKNERVE_STORE_PORT:STOCKNERVE_STORE_PORT"

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
nats_server_exited() {
  log "nats-server stopped (status $2; see $NATS_LOG): the till keeps working offline; Ctrl-C and \`npm start\` again to bring NATS back"
}
supervise_children nats_server_exited
