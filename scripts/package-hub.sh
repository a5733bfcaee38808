#!/usr/bin/env bash
# Packages the hub as an operator installs it: one directory with the built hub (dist/, assets/,
# package.json) and only its production dependencies, the workspace packages copied in as their
# built dist/. It needs nothing else from the repository:
#
#   node <dir>/dist/cli.js serve        (also: rebuild, seed-demo; configuration: docs/runbook.md)
#
# Usage: scripts/package-hub.sh [output dir]      (default: .data/package/hub)
#
# An existing output directory is replaced only if it holds an earlier hub package. Needs the
# workspace installed (scripts/setup.sh). pnpm reuses the better-sqlite3 build of that install;
# where its store has none, it builds better-sqlite3 from source (~90 s on 2 cores).
# docs/production-install.md says what to do with the result; deploy/docker/Dockerfile runs this
# script too.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out="$(realpath -m -- "${1:-$ROOT/.data/package/hub}")"
cd "$ROOT"

# Refuses anything that is not an earlier package: a mistyped argument must not delete sources.
# pnpm deploy writes no src/, and the repository and its packages all have one or sit above one.
is_hub_package() {
  [[ -f "$1/dist/cli.js" && -d "$1/node_modules" && ! -e "$1/src" && -f "$1/package.json" ]] &&
    [[ "$(node -p 'require(process.argv[1]).name' "$1/package.json" 2>/dev/null)" == '@stocknerve/hub' ]]
}

prepare_output_dir() {
  case "$ROOT/" in
    "$out"/*) die "the output directory $out contains the repository" ;;
  esac
  if [[ -d "$out" && -z "$(ls -A -- "$out")" ]]; then
    rmdir -- "$out"
  elif [[ -e "$out" ]]; then
    is_hub_package "$out" || die "$out exists and is not a hub package: remove it or choose another directory"
    rm -rf -- "$out"
  fi
  mkdir -p -- "$(dirname -- "$out")"
}

# A better-sqlite3 built from source leaves the compiler's output (object files, a static
# library) and the SQLite sources beside its addon, ~30 MB of the package's ~55: only
# build/Release/better_sqlite3.node is loaded at run time.
prune_native_build() {
  local b
  for b in "$out"/node_modules/.pnpm/better-sqlite3@*/node_modules/better-sqlite3; do
    [[ -f "$b/build/Release/better_sqlite3.node" ]] || continue
    rm -rf -- "$b/deps" "$b/build/deps" "$b/build/Release/.deps" "$b/build/Release/obj" \
      "$b/build/Release/obj.target" "$b/build/Release/sqlite3.a" "$b/build/Release/test_extension.node"
  done
}

# Loads the CLI (every module it imports) and opens a database with better-sqlite3's addon, from a
# copy of the package outside the repository: inside it, Node would also find packages in the
# repository's node_modules and hide a missing production dependency. Without a command the CLI
# prints its usage and exits 0. The copy also shows that the directory can be moved (its links
# are relative).
check_package() {
  local dir d
  dir="$(mktemp -d "${TMPDIR:-/tmp}/stocknerve-hub-check-XXXXXX")"
  d="$dir"
  while [[ "$d" != / ]]; do
    d="$(dirname -- "$d")"
    if [[ -e "$d/node_modules" ]]; then
      rm -rf -- "$dir"
      die "cannot check the package in $dir: $d/node_modules would hide missing dependencies (set TMPDIR)"
    fi
  done
  cp -a -- "$out" "$dir/hub"
  local rc=0
  run_quiet 'loading the packaged hub (node dist/cli.js, outside the repository)' \
    env -u NODE_PATH -u NODE_OPTIONS node "$dir/hub/dist/cli.js" || rc=$?
  ((rc != 0)) || run_quiet "opening a database with the packaged better-sqlite3" \
    env -C "$dir/hub" -u NODE_PATH -u NODE_OPTIONS \
    node -e 'new (require("better-sqlite3"))(":memory:").prepare("select 1").get()' || rc=$?
  rm -rf -- "$dir"
  ((rc == 0)) || die "the packaged hub in $out does not load on its own (see above): a module it imports at run time is not among its production dependencies, or a dist/ is missing files (tsc -b trusts the *.tsbuildinfo files: delete them and run this again)"
}

section 'build'
ensure_node
ensure_pnpm
[[ -d "$ROOT/node_modules/.pnpm" ]] || die 'the workspace is not installed: run scripts/setup.sh first'
build_packages

section "package @stocknerve/hub into $out"
prepare_output_dir
use_local_node_headers
# --prod: dependencies only; package-import-method=copy: real files, not hard links into pnpm's
# store or (for workspace packages) into their dist/, which the next `tsc -b` would rewrite.
run_quiet 'pnpm deploy' pnpm --filter @stocknerve/hub deploy --prod --frozen-lockfile \
  --config.package-import-method=copy "$out"
prune_native_build

section 'check'
check_package

log "hub package: $out ($(du -sh -- "$out" | cut -f1)); start it with: node $out/dist/cli.js serve"
