#!/usr/bin/env bash
# The NATS server of `npm start` (deploy/nats-server.conf; the environment comes from start.sh).
# While `npm run outage` holds the outage file, the server stays stopped; when the outage ends it is
# started again. Stopped any other way (a crash, `kill <pid>`), it is started again after a short
# pause, as a service manager would; a server that keeps failing right after it starts is given up.
set -uo pipefail

: "${NATS_SERVER_BIN:?}" "${STOCKNERVE_NATS_PID_FILE:?}" "${STOCKNERVE_OUTAGE_FILE:?}" "${HUB_IDENTITY_DIR:?}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA_DIR="${STOCKNERVE_DATA_DIR:-$ROOT/.data}"

# The development config plus the demo's operator-mode settings. nats-server resolves `include`
# relative to the including file only, hence a small config in the data dir with relative paths.
mkdir -p "$DATA_DIR"
config="$DATA_DIR/nats-server.conf"
base="$(realpath --relative-to="$DATA_DIR" "$ROOT/deploy/nats-server.conf")"
auth="$(realpath --relative-to="$DATA_DIR" "$HUB_IDENTITY_DIR/nats-auth.conf")"
printf 'include "%s"\ninclude "%s"\n' "$base" "$auth" >"$config"

# To this script's log, and to start.sh's terminal (fd 3) when there is one.
note() {
  printf '[run-nats] %s\n' "$*" >&2
  { printf 'nats-server: %s\n' "$*" >&3; } 2>/dev/null || true
}

server=''
stop() {
  [[ -n "$server" ]] && kill -TERM "$server" 2>/dev/null && wait "$server"
  exit 0
}
trap stop TERM INT

# A server that runs this long before it exits counts as having started fine.
HEALTHY_AFTER=30
MAX_QUICK_FAILURES=3
backoff=1
quick_failures=0
while :; do
  started=$SECONDS
  # In the background so that a TERM from start.sh is handled at once (bash defers traps until a
  # foreground command ends).
  "$NATS_SERVER_BIN" -c "$config" -P "$STOCKNERVE_NATS_PID_FILE" &
  server=$!
  wait "$server"
  rc=$?
  server=''
  if [[ -f "$STOCKNERVE_OUTAGE_FILE" ]]; then
    note 'stopped for `npm run outage`; it starts again when the outage ends'
    while [[ -f "$STOCKNERVE_OUTAGE_FILE" ]]; do sleep 0.2; done
    note 'outage over: starting again'
    backoff=1
    quick_failures=0
    continue
  fi
  if ((SECONDS - started >= HEALTHY_AFTER)); then
    backoff=1
    quick_failures=0
  else
    quick_failures=$((quick_failures + 1))
  fi
  if ((quick_failures >= MAX_QUICK_FAILURES)); then
    note "exited $quick_failures times within ${HEALTHY_AFTER} s of starting (last status $rc): not starting it again"
    exit "$((rc == 0 ? 1 : rc))"
  fi
  note "exited unexpectedly (status $rc; \`npm run outage\` is the way to stop it for a while): starting again in ${backoff} s"
  sleep "$backoff"
  backoff=$((backoff * 2 > 8 ? 8 : backoff * 2))
done
