#!/usr/bin/env bash
# `npm run outage`: takes every store offline by stopping the NATS server of a running `npm start`
# until Enter is pressed (or Ctrl-C). Terminals keep selling meanwhile and send what waited when
# the server is back.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
# The same files as the `npm start` it acts on (scripts/start.sh).
if [[ -n "${STOCKNERVE_DATA_DIR:-}" ]]; then
  STOCKNERVE_NATS_PID_FILE="$STOCKNERVE_DATA_DIR/nats-server.pid"
  STOCKNERVE_OUTAGE_FILE="$STOCKNERVE_DATA_DIR/nats-outage"
fi

pid="$(cat "$STOCKNERVE_NATS_PID_FILE" 2>/dev/null || true)"
[[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || die 'no NATS server of `npm start` is running (start it first)'

end_outage() {
  rm -f "$STOCKNERVE_OUTAGE_FILE"
}
trap end_outage EXIT
# Ctrl-C is one of the two ways to end it: a success.
trap 'exit 0' INT

touch "$STOCKNERVE_OUTAGE_FILE"
kill -TERM "$pid"
while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
cat >&2 <<INFO
NATS is stopped: the store node shows Offline and keeps selling; its sales wait on the terminal
(the sync badge counts them). The hub answers with what it last heard, and marks a store it has
not heard from for a few minutes as stale.
Press Enter to end the outage.
INFO
read -r _ || true
end_outage
log 'outage over: NATS starts again and the terminals send what waited'
