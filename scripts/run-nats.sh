#!/usr/bin/env bash
# The NATS server of `npm start` (deploy/nats-server.conf; the environment comes from start.sh).
# While `npm run outage` holds the outage file, the server stays stopped; when the outage ends it is
# started again. Stopped any other way, this script exits with the server's status.
set -uo pipefail

: "${NATS_SERVER_BIN:?}" "${STOCKNERVE_NATS_PID_FILE:?}" "${STOCKNERVE_OUTAGE_FILE:?}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

while :; do
  "$NATS_SERVER_BIN" -c "$ROOT/deploy/nats-server.conf" -P "$STOCKNERVE_NATS_PID_FILE"
  rc=$?
  [[ -f "$STOCKNERVE_OUTAGE_FILE" ]] || exit "$rc"
  while [[ -f "$STOCKNERVE_OUTAGE_FILE" ]]; do sleep 0.2; done
  printf 'outage over: starting nats-server again\n' >&2
done
