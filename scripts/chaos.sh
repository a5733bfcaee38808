#!/usr/bin/env bash
# Runs the chaos test (bench/src/chaos/run.ts, built); arguments are passed to it, e.g.
# `pnpm chaos -- --seed 7 --duration 120`. Exits non-zero on any lost event or mismatching cell, or
# when nats-server (operator mode: every node, the hub and the monkey with their own users) refused a client.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

section 'setup'
stocknerve_setup
section 'build'
build_packages
section 'chaos'
node bench/dist/chaos/run.js "$@"
