#!/usr/bin/env bash
# Runs the benchmarks (bench/run.ts); arguments are passed to it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

section 'setup'
stocknerve_setup
section 'bench'
pnpm exec tsx bench/run.ts "$@"
