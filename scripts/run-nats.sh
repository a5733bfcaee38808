#!/usr/bin/env bash
# The NATS server of `npm start` (deploy/nats-server.conf; the environment comes from start.sh).
# While `npm run outage` holds the outage file, the server stays stopped; when the outage ends it is
# started again. Stopped any other way, this script exits with the server's status.
set -uo pipefail

: "${NATS_SERVER_BIN:?}" "${STOCKNERVE_NATS_PID_FILE:?}" "${STOCKNERVE_OUTAGE_FILE:?}" "${HUB_IDENTITY_DIR:?}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# The development config plus the demo's operator-mode settings. nats-server resolves `include`
# relative to the including file only, hence a small config next to .data/ with relative paths.
mkdir -p "$ROOT/.data"
config="$ROOT/.data/nats-server.conf"
auth="$(realpath --relative-to="$ROOT/.data" "$HUB_IDENTITY_DIR/nats-auth.conf")"
printf 'include "../deploy/nats-server.conf"\ninclude "%s"\n' "$auth" >"$config"

while :; do
  "$NATS_SERVER_BIN" -c "$config" -P "$STOCKNERVE_NATS_PID_FILE"
  rc=$?
  [[ -f "$STOCKNERVE_OUTAGE_FILE" ]] || exit "$rc"
  while [[ -f "$STOCKNERVE_OUTAGE_FILE" ]]; do sleep 0.2; done
  printf 'outage over: starting nats-server again\n' >&2
done
