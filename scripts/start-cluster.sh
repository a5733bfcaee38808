#!/usr/bin/env bash
# Starts a local Stocknerve on a NATS cluster: three nats-servers (one JetStream cluster, R3), two
# hubs (hub-a, hub-b) sharing it, the demo data, and a store node. All on loopback, no TLS (the
# production layout is deploy/nats/cluster/). Their output goes to .data/cluster/logs/
# (nats-1.log ... nats-3.log, hub-a.log, hub-b.log, store-node.log); the terminal shows the steps
# and then the URLs. Ctrl-C stops everything.
#
# Ports: NATS clients 7422/7423/7424, websocket 7443/7444/7445, routes 7622/7623/7624 (no
# monitoring), hubs 7480 (hub-a) and 7481 (hub-b), store node 5180 (STOCKNERVE_STORE_PORT).
# Environment (defaults): STOCKNERVE_DATA_DIR (.data/cluster: identities, stores, hub databases,
# logs), HUB_IDENTITY_DIR (<data dir>/identity), STOCKNERVE_SKIP_BUILD (1: no install and no build),
# STOCKNERVE_CLUSTER_NATS_ONLY (1: start only the three NATS servers, check that JetStream places an
# R3 stream, print their URLs and wait for Ctrl-C).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

export STOCKNERVE_DATA_DIR="${STOCKNERVE_DATA_DIR:-$ROOT/.data/cluster}"
LOG_DIR="$STOCKNERVE_DATA_DIR/logs"
STORE_NODE_LOG="$LOG_DIR/store-node.log"
NATS_ONLY="${STOCKNERVE_CLUSTER_NATS_ONLY:-}"

if [[ "$NATS_ONLY" == 1 ]]; then
  section 'setup (STOCKNERVE_CLUSTER_NATS_ONLY=1: nats-server and the built hub CLI only)'
  ensure_node
  ensure_nats_server
  [[ -f apps/hub/dist/cli.js ]] || die 'the hub is not built (apps/hub/dist/cli.js): run `pnpm build` first'
else
  setup_for_start
fi

NATS_PORTS=(7422 7423 7424)
NATS_WS_PORTS=(7443 7444 7445)
NATS_ROUTE_PORTS=(7622 7623 7624)
HUB_NAMES=(hub-a hub-b)
HUB_PORTS=(7480 7481)
export STOCKNERVE_STORE_PORT="${STOCKNERVE_STORE_PORT:-5180}"

nats_urls=()
routes=()
for i in 0 1 2; do
  nats_urls+=("nats://127.0.0.1:${NATS_PORTS[i]}")
  routes+=("\"nats-route://127.0.0.1:${NATS_ROUTE_PORTS[i]}\"")
done
export NATS_URL
NATS_URL="$(IFS=,; echo "${nats_urls[*]}")"
export HUB_REPLICAS=3
export_demo_hub_env
# The store node and the demo data talk to the first hub.
export HUB_URL="http://127.0.0.1:${HUB_PORTS[0]}"
NATS_WS_URL="ws://127.0.0.1:${NATS_WS_PORTS[0]}"
STORE_NODE_URL="http://127.0.0.1:$STOCKNERVE_STORE_PORT"
mkdir -p "$LOG_DIR"
# The terminal, as in start.sh (for messages of the children that use it).
exec 3>&2

supervisor_init

busy=()
for port in "${NATS_PORTS[@]}" "${NATS_WS_PORTS[@]}" "${NATS_ROUTE_PORTS[@]}"; do busy+=("$port:the port list in scripts/start-cluster.sh"); done
if [[ "$NATS_ONLY" != 1 ]]; then
  busy+=("${HUB_PORTS[0]}:the port list in scripts/start-cluster.sh" "${HUB_PORTS[1]}:the port list in scripts/start-cluster.sh")
  busy+=("$STOCKNERVE_STORE_PORT:STOCKNERVE_STORE_PORT")
fi
require_free_ports "${busy[@]}"

# One trust chain for the three servers. nats-auth.conf names server 1's account store; each
# server's config below overrides the resolver with its own directory (a later key wins).
section "identities ($HUB_IDENTITY_DIR)"
: >"$LOG_DIR/identity.log"
run_logged 'hub identity init' "$LOG_DIR/identity.log" \
  node apps/hub/dist/cli.js identity init --dir "$HUB_IDENTITY_DIR" --resolver-dir "$STOCKNERVE_DATA_DIR/nats-1/store/accounts"

# Writes nats-N/nats-server.conf: the development config (deploy/nats-server.conf, ports and store
# from the environment) plus the identities, the server's name, its resolver dir and the cluster.
# nats-server resolves `include` relative to the including file, hence the relative paths.
write_nats_config() {
  local n=$1 dir="$STOCKNERVE_DATA_DIR/nats-$1"
  mkdir -p "$dir/store/accounts"
  local base auth
  base="$(realpath --relative-to="$dir" "$ROOT/deploy/nats-server.conf")"
  auth="$(realpath --relative-to="$dir" "$HUB_IDENTITY_DIR/nats-auth.conf")"
  cat >"$dir/nats-server.conf" <<CONF
# Written by scripts/start-cluster.sh on each start: server $n of the local cluster.
include "$base"
include "$auth"
server_name: stocknerve-dev-$n
resolver: {
  type: full
  dir: "$dir/store/accounts"
  allow_delete: false
  interval: "2m"
}
cluster {
  name: stocknerve-dev
  listen: 127.0.0.1:${NATS_ROUTE_PORTS[n - 1]}
  routes: [$(IFS=,; echo "${routes[*]}")]
}
CONF
}

# Succeeds once JetStream has a meta leader and places a stream on all three servers (a probe
# stream, created and deleted), as the hubs' R3 stream needs.
jetstream_cluster_ready() {
  (cd apps/hub && node --input-type=module -e '
    import { readFileSync } from "node:fs";
    import { connect, credsAuthenticator } from "@nats-io/transport-node";
    import { jetstreamManager } from "@nats-io/jetstream";
    const [urls, creds] = process.argv.slice(1);
    const nc = await connect({ servers: urls.split(","), authenticator: credsAuthenticator(readFileSync(creds)), timeout: 2000 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 2000, checkAPI: false });
      const name = `START_CLUSTER_PROBE_${process.pid}`;
      await jsm.streams.add({ name, subjects: [`start-cluster.probe.${process.pid}`], num_replicas: 3, storage: "memory" });
      await jsm.streams.delete(name);
    } finally {
      await nc.close();
    }
  ' "$NATS_URL" "$HUB_IDENTITY_DIR/admin.creds")
}

section "nats-server x3 (${nats_urls[*]}; websocket ${NATS_WS_PORTS[*]}; routes ${NATS_ROUTE_PORTS[*]})"
for n in 1 2 3; do
  write_nats_config "$n"
  : >"$LOG_DIR/nats-$n.log"
  spawn_group "nats-server-$n" "$LOG_DIR/nats-$n.log" env \
    STOCKNERVE_NATS_PORT="${NATS_PORTS[n - 1]}" STOCKNERVE_NATS_WS_PORT="${NATS_WS_PORTS[n - 1]}" \
    STOCKNERVE_NATS_STORE_DIR="$STOCKNERVE_DATA_DIR/nats-$n/store" \
    "$NATS_SERVER_BIN" -c "$STOCKNERVE_DATA_DIR/nats-$n/nats-server.conf" -P "$STOCKNERVE_DATA_DIR/nats-$n/nats-server.pid"
done
for n in 1 2 3; do
  wait_until "nats-server-$n" "${children[n - 1]}" 15 tcp_open "${NATS_PORTS[n - 1]}"
done
wait_until 'the JetStream cluster (meta leader, R3 placement)' "${children[0]}" 60 jetstream_cluster_ready

child_exited() {
  case "$1" in
    nats-server-*) log "$1 stopped (status $2; see $LOG_DIR/nats-${1#nats-server-}.log): the other two servers carry on; Ctrl-C and \`pnpm start:cluster\` again to bring it back" ;;
    *) log "$1 stopped (status $2; see $LOG_DIR/$1.log): the other hub carries on (it leads within a few seconds); Ctrl-C and \`pnpm start:cluster\` again to bring it back" ;;
  esac
}

if [[ "$NATS_ONLY" == 1 ]]; then
  section 'running (NATS only)'
  cat >&2 <<INFO
  NATS        $NATS_URL
  NATS (ws)   ws://127.0.0.1:${NATS_WS_PORTS[0]}, ws://127.0.0.1:${NATS_WS_PORTS[1]}, ws://127.0.0.1:${NATS_WS_PORTS[2]}
  identities  $HUB_IDENTITY_DIR (admin.creds for the \`nats\` CLI)
  logs        $LOG_DIR/
Press Ctrl-C to stop.
INFO
  supervise_children child_exited
fi

for i in 0 1; do
  name="${HUB_NAMES[i]}"
  section "$name (http://127.0.0.1:${HUB_PORTS[i]}, views in $STOCKNERVE_DATA_DIR/$name.sqlite)"
  : >"$LOG_DIR/$name.log"
  spawn_group "$name" "$LOG_DIR/$name.log" env HUB_INSTANCE_ID="$name" HUB_PORT="${HUB_PORTS[i]}" \
    HUB_DB="$STOCKNERVE_DATA_DIR/$name.sqlite" HUB_URL="http://127.0.0.1:${HUB_PORTS[i]}" \
    node apps/hub/dist/cli.js serve
  echo "${children[-1]}" >"$STOCKNERVE_DATA_DIR/$name.pid"
  wait_until "$name" "${children[-1]}" 60 http_ok "http://127.0.0.1:${HUB_PORTS[i]}/health"
  if ((i == 0)); then
    section 'demo data (through hub-a)'
    HUB_INSTANCE_ID="$name" HUB_PORT="${HUB_PORTS[i]}" HUB_DB="$STOCKNERVE_DATA_DIR/$name.sqlite" \
      run_logged 'demo data (hub seed-demo)' "$LOG_DIR/$name.log" node apps/hub/dist/cli.js seed-demo
  fi
done

# The store node talks to hub-a and to server 1's websocket (it takes one NATS URL).
start_store_node

section 'running'
cat >&2 <<INFO
  store node  $STORE_NODE_URL   (a cashier's screen; scan e.g. SKU-1001 or 3760001000016)
  hub-a       http://127.0.0.1:${HUB_PORTS[0]}   (reports: /reports/login with the manager token $HUB_MANAGER_TOKEN)
  hub-b       http://127.0.0.1:${HUB_PORTS[1]}   (health: /health)
  NATS        $NATS_URL
  NATS (ws)   ws://127.0.0.1:${NATS_WS_PORTS[0]}, ws://127.0.0.1:${NATS_WS_PORTS[1]}, ws://127.0.0.1:${NATS_WS_PORTS[2]}
  logs        $LOG_DIR/ (nats-1..3.log, hub-a.log, hub-b.log, store-node.log)
Stop one NATS server to see the cluster carry on: kill \$(cat $STOCKNERVE_DATA_DIR/nats-1/nats-server.pid)
Stop the leading hub to see the other take over (/health says which leads): kill -9 \$(cat $STOCKNERVE_DATA_DIR/hub-a.pid)
Press Ctrl-C to stop.
INFO

supervise_children child_exited hub-
