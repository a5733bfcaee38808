# shellcheck shell=bash
# Shared helpers for the project's scripts. Source it; it does not run anything by itself.
#
# Everything the project needs on a machine is installed from here, because a fresh machine
# (a new developer's, CI's) has only Node, npm and Debian's package sources.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

# Minimum nats-server the sync layer is written against (Debian 12 ships 2.9.10).
NATS_MIN_VERSION=2.9

# The NATS server of `npm start`: where it writes its pid, and the file that keeps it stopped
# while `npm run outage` runs (scripts/run-nats.sh).
export STOCKNERVE_NATS_PID_FILE="$ROOT/.data/nats-server.pid"
export STOCKNERVE_OUTAGE_FILE="$ROOT/.data/nats-outage"

log() { printf '%s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# Prints a header that makes it obvious in CI output which step ran or failed.
section() { printf '\n==> %s\n' "$*" >&2; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Runs a command with its output captured; shows the output only if it fails, so routine
# installs stay readable while failures keep their full diagnostics.
run_quiet() {
  local label=$1
  shift
  local out
  out="$(mktemp "${TMPDIR:-/tmp}/stocknerve-XXXXXX.log")"
  local rc=0
  "$@" >"$out" 2>&1 || rc=$?
  if ((rc == 0)); then
    rm -f "$out"
    return 0
  fi
  log "error: $label failed (exit $rc); its output:"
  cat "$out" >&2
  rm -f "$out"
  return "$rc"
}

# Returns 0 when version $1 >= version $2 (dotted numbers, compared numerically).
version_ge() {
  [[ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" == "$2" ]]
}

ensure_node() {
  command -v node >/dev/null 2>&1 || die 'Node.js 20 or newer is required (https://nodejs.org or apt-get install nodejs)'
  local version major
  version="$(node -p process.versions.node)"
  major="${version%%.*}"
  ((major >= 20)) || die "Node.js 20 or newer is required; found $version"
  # package.json engines asks for >=20.19 (require(esm)); older 20.x mostly works, so only warn.
  if ((major == 20)) && ! version_ge "$version" 20.19.0; then
    log "warning: Node $version is older than 20.19, which package.json engines asks for"
  fi
}

APT_UPDATED=0
apt_install() {
  if ((APT_UPDATED == 0)); then
    run_quiet 'apt-get update' apt-get update
    APT_UPDATED=1
  fi
  run_quiet "apt-get install $*" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

# Makes the pinned pnpm (package.json packageManager) the first `pnpm` on PATH, installing it into
# $ROOT/.tools without root when the machine's pnpm is missing or another version.
ensure_pnpm() {
  # A lockfile written by one pnpm makes a newer one try to switch versions (and fail) unless
  # this is off; corepack cannot fetch pnpm here either.
  export npm_config_manage_package_manager_versions=false
  local want have
  want="$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$ROOT/package.json")"
  have="$(pnpm --version 2>/dev/null || true)"
  if [[ "$have" == "$want" ]]; then
    return 0
  fi
  local bin="$ROOT/.tools/node_modules/.bin"
  case ":$PATH:" in
    *":$bin:"*) ;;
    *) export PATH="$bin:$PATH" ;;
  esac
  hash -r
  if [[ "$("$bin/pnpm" --version 2>/dev/null || true)" != "$want" ]]; then
    log "installing pnpm $want into .tools/ (the pnpm on PATH is ${have:-missing})"
    mkdir -p "$ROOT/.tools"
    run_quiet "npm install pnpm@$want" npm install --no-save --no-audit --no-fund --prefix "$ROOT/.tools" "pnpm@$want"
    hash -r
  fi
  local got
  got="$(pnpm --version 2>/dev/null || true)"
  [[ "$got" == "$want" ]] || die "pnpm $want is required but '$(command -v pnpm || echo pnpm)' reports '${got:-nothing}'"
}

# Prints the path of nats-server, or fails. Debian installs it in /usr/sbin, which is not on a
# non-root user's PATH.
find_nats_server() {
  if command -v nats-server 2>/dev/null; then return 0; fi
  if [[ -x /usr/sbin/nats-server ]]; then
    echo /usr/sbin/nats-server
    return 0
  fi
  return 1
}

# Exports NATS_SERVER_BIN (also read by packages/test-harness) after installing nats-server if
# needed.
ensure_nats_server() {
  local bin
  if ! bin="$(find_nats_server)"; then
    is_root || die 'nats-server not found: install nats-server 2.9+: sudo apt-get install nats-server'
    log 'installing nats-server (apt)'
    apt_install nats-server
    bin="$(find_nats_server)" || die 'nats-server is still not found after apt-get install nats-server'
  fi
  local version
  version="$("$bin" --version 2>&1 | sed -n 's/.*v\([0-9][0-9.]*\).*/\1/p' | head -n1)"
  if [[ -n "$version" ]] && ! version_ge "$version" "$NATS_MIN_VERSION"; then
    die "nats-server $NATS_MIN_VERSION+ is required; $bin is $version"
  fi
  export NATS_SERVER_BIN="$bin"
}

# Debian's chromium, which the browser tests drive through playwright-core (no browser download).
ensure_chromium() {
  if [[ -x /usr/bin/chromium ]]; then return 0; fi
  is_root || die 'chromium not found at /usr/bin/chromium: install it: sudo apt-get install chromium'
  log 'installing chromium (apt)'
  apt_install chromium
  [[ -x /usr/bin/chromium ]] || die 'chromium is still missing at /usr/bin/chromium after apt-get install chromium'
}

# better-sqlite3's prebuilt download and node-gyp's header download both fail on machines without
# internet access beyond the registries: when pnpm builds better-sqlite3 from source, point node-gyp
# at the headers installed with the running Node (Debian's /usr, the official images' /usr/local)
# when they are of exactly this version. Elsewhere the prebuilt download is the faster path.
use_local_node_headers() {
  [[ -z "${npm_config_nodedir:-}" ]] || return 0
  local prefix header headers_version
  prefix="$(node -p 'require("node:path").resolve(process.execPath, "../..")')"
  header="$prefix/include/node/node_version.h"
  [[ -f "$header" ]] || return 0
  headers_version="$(awk '$1 == "#define" && $2 ~ /^NODE_(MAJOR|MINOR|PATCH)_VERSION$/ { v[$2] = $3 }
    END { print v["NODE_MAJOR_VERSION"] "." v["NODE_MINOR_VERSION"] "." v["NODE_PATCH_VERSION"] }' "$header")"
  if [[ "$headers_version" == "$(node -p process.versions.node)" ]]; then
    export npm_config_nodedir="$prefix"
  fi
}

# Written after each successful install: what the lockfile and manifests are compared with.
INSTALL_STAMP="$ROOT/node_modules/.stocknerve-installed"

# Succeeds when node_modules is missing or older than the lockfile, the workspace file or a
# package.json (every dependency change touches one of them). The install's time is the newest of
# our stamp and pnpm's own state files (pnpm writes pnpm-lock.yaml just after .modules.yaml).
deps_outdated() {
  local ref='' f
  for f in "$INSTALL_STAMP" "$ROOT"/node_modules/.pnpm-workspace-state*.json "$ROOT/node_modules/.modules.yaml"; do
    [[ -f "$f" ]] && { [[ -z "$ref" || "$f" -nt "$ref" ]] && ref=$f; }
  done
  [[ -n "$ref" && -d "$ROOT/node_modules/.pnpm" ]] || return 0
  for f in "$ROOT"/pnpm-lock.yaml "$ROOT"/pnpm-workspace.yaml "$ROOT"/.npmrc "$ROOT"/package.json \
    "$ROOT"/apps/*/package.json "$ROOT"/packages/*/package.json "$ROOT"/bench/package.json; do
    [[ -f "$f" && "$f" -nt "$ref" ]] && return 0
  done
  return 1
}

# Installs the workspace's dependencies exactly as locked, when they changed.
install_deps() {
  deps_outdated || return 0
  use_local_node_headers
  if [[ -n "${CI:-}" || "${STOCKNERVE_SKIP_ELECTRON:-}" == 1 ]]; then
    export ELECTRON_SKIP_BINARY_DOWNLOAD=1
  fi
  if [[ -f "$ROOT/node_modules/.modules.yaml" ]]; then
    log 'installing dependencies (pnpm install --frozen-lockfile: the lockfile or a package.json changed)'
  else
    log 'installing dependencies (pnpm install --frozen-lockfile; a fresh install builds better-sqlite3 from source, ~90 s)'
  fi
  run_quiet 'pnpm install --frozen-lockfile' pnpm install --frozen-lockfile
  touch "$INSTALL_STAMP"
}

# Everything a checkout needs before tests or start: used by setup.sh, test.sh, start.sh, bench.sh.
stocknerve_setup() {
  ensure_node
  ensure_pnpm
  ensure_nats_server
  install_deps
}

# Type-checks and builds every package to its dist/ (incremental: quick when nothing changed).
build_packages() {
  run_quiet 'tsc -b (type-check and build)' pnpm exec tsc -b
}

# Builds everything that runs: the packages, and the store node's renderer (Vite).
build_all() {
  build_packages
  run_quiet 'vite build (store node renderer)' pnpm --filter @stocknerve/store-node exec vite build
}
