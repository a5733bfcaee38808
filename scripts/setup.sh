#!/usr/bin/env bash
# Installs what this checkout needs: pnpm (pinned), nats-server, and the workspace dependencies.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

section 'setup'
stocknerve_setup
log "setup done: node $(node --version), pnpm $(pnpm --version), $("$NATS_SERVER_BIN" --version 2>&1)"
