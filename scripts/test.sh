#!/usr/bin/env bash
# The project's full check: setup, build (type-check every package and write its dist/), lint,
# then vitest. Extra arguments go to vitest, e.g. `npm test -- packages/sync` or
# `bash scripts/test.sh -t outbox`. Tests run the TypeScript sources; the processes and threads
# they start (hub, WAL checkpointer) run the built dist/.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

current='setup'
on_exit() {
  local rc=$?
  if ((rc != 0)); then
    printf '\n==> FAILED: %s (exit %s)\n' "$current" "$rc" >&2
  fi
}
trap on_exit EXIT

section "[1/4] $current"
stocknerve_setup
# Chromium is a large install: only machines that will run browser tests need it.
if find apps packages -name node_modules -prune -o -name '*.e2e.test.ts' -print 2>/dev/null | grep -q .; then
  ensure_chromium
fi

current='build'
section "[2/4] $current (tsc -b)"
pnpm exec tsc -b

current='lint'
section "[3/4] $current"
pnpm run lint

current='test'
section "[4/4] $current"
pnpm run test:only "$@"
