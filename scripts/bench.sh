#!/usr/bin/env bash
# Runs the benchmarks (bench/src/run.ts, built); arguments are passed to it. Every nats-server they
# start runs in operator mode (each simulated node its own terminal user, the hub its credentials);
# ingest and freshness also measure a server without authentication, in turns, for its cost.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

section 'setup'
stocknerve_setup
ensure_chromium
section 'build'
build_packages
section 'bench'
node bench/dist/run.js "$@"
