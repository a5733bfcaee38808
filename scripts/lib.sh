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

# --- Running the demo's processes (scripts/start.sh, scripts/start-cluster.sh) ---------------------
# A script calls supervisor_init once, starts its children with spawn_group, waits for them with
# wait_until, and ends in supervise_children. Ctrl-C stops them all, newest first.

# Sets up the list of children and the traps that stop them.
supervisor_init() {
  children=()
  declare -gA name_of=() log_of=()
  # A Ctrl-C is how a user ends the demo: a clean stop, status 0 (npm reports it as a success).
  trap 'on_signal 0' INT
  trap 'on_signal 143' TERM
  trap stop_children EXIT
}

# Each child runs in its own session (setsid) so that its whole tree (Electron and its helpers)
# can be signalled as one process group, and a Ctrl-C reaches only this script, which stops them
# in order.
spawn_group() {
  local name=$1 log_file=$2
  shift 2
  if command -v setsid >/dev/null 2>&1; then
    setsid "$@" >>"$log_file" 2>&1 &
  else
    "$@" >>"$log_file" 2>&1 &
  fi
  children+=("$!")
  name_of[$!]=$name
  log_of[$!]=$log_file
}

show_log_tail() {
  [[ -s "$1" ]] || return 0
  log "--- last lines of $1 ---"
  tail -n 30 "$1" >&2
  log '---'
}

# Runs a one-off command with its output appended to a log; on failure shows the log's tail.
run_logged() {
  local what=$1 log_file=$2
  shift 2
  local rc=0
  "$@" >>"$log_file" 2>&1 || rc=$?
  ((rc == 0)) && return 0
  show_log_tail "$log_file"
  die "$what failed (status $rc; full output in $log_file)"
}

alive() { kill -0 "$1" 2>/dev/null; }

stop_children() {
  local pid i deadline
  # Newest first: the hub stops before the NATS server it is connected to.
  for ((i = ${#children[@]} - 1; i >= 0; i--)); do
    pid="${children[i]}"
    alive "$pid" || continue
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
    if alive "$pid"; then
      log "process $pid ignored SIGTERM for 10 s; killing it"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  children=()
}

on_signal() {
  # npm forwards the terminal's Ctrl-C to this script, which then gets it twice: the stop that
  # follows must not be cut short.
  trap '' INT TERM
  log 'stopping...'
  stop_children
  log 'stopped'
  exit "$1"
}

# Polls until "$@" succeeds; fails early when process $pid exits, or after $timeout seconds, with
# the tail of its log.
wait_until() {
  local what=$1 pid=$2 timeout=$3
  shift 3
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ! alive "$pid"; then
      show_log_tail "${log_of[$pid]}"
      die "$what exited before it was ready (full output in ${log_of[$pid]})"
    fi
    if ((SECONDS >= deadline)); then
      show_log_tail "${log_of[$pid]}"
      die "$what was not ready after ${timeout} s (full output in ${log_of[$pid]})"
    fi
    sleep 0.5
  done
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
http_ok() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"; }

# Fails when one of the ports is taken. Arguments: PORT:VARIABLE (the variable that sets it).
require_free_ports() {
  local port
  for port in "$@"; do
    tcp_open "${port%%:*}" && die "port ${port%%:*} is already in use (set ${port#*:})"
  done
  return 0
}

# The setup and build steps of `npm start`; STOCKNERVE_SKIP_BUILD=1 skips install and build.
setup_for_start() {
  if [[ "${STOCKNERVE_SKIP_BUILD:-}" == 1 ]]; then
    section 'setup (STOCKNERVE_SKIP_BUILD=1: no install, no build)'
    ensure_node
    ensure_nats_server
  else
    section 'setup'
    stocknerve_setup
    section 'build'
    build_all
  fi
}

# The demo hub's identities and tokens (HUB_IDENTITY_DIR defaults to $STOCKNERVE_DATA_DIR/identity).
export_demo_hub_env() {
  # Operator mode, as in production: the demo has its own trust chain (docs/runbook.md, "Security").
  export HUB_IDENTITY_DIR="${HUB_IDENTITY_DIR:-$STOCKNERVE_DATA_DIR/identity}"
  export NATS_CREDS="${NATS_CREDS:-$HUB_IDENTITY_DIR/hub.creds}"
  # Demo tokens (one per role): a hub refuses them in production or beyond loopback, and this one is
  # neither. A deployment makes its own with `stocknerve-hub token create` (docs/runbook.md, "Security").
  export HUB_ADMIN_TOKEN="${HUB_ADMIN_TOKEN:-demo-admin-token-change-me}"
  export HUB_ECOMMERCE_TOKEN="${HUB_ECOMMERCE_TOKEN:-demo-ecommerce-token-change-me}"
  export HUB_MANAGER_TOKEN="${HUB_MANAGER_TOKEN:-demo-manager-token-change-me}"
  export HUB_TOKENS="${HUB_TOKENS:-$HUB_ADMIN_TOKEN:admin,$HUB_ECOMMERCE_TOKEN:ecommerce,$HUB_MANAGER_TOKEN:manager}"
}

# A one-time code for the demo terminal: it enrolls with it on its first run (a terminal that is
# already enrolled ignores it, and it expires unused). Uses HUB_URL and HUB_ADMIN_TOKEN.
enrollment_code() {
  node -e '
    const [hub, token, location, node] = process.argv.slice(1);
    fetch(`${hub}/v1/enrollments`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ location, node }),
    })
      .then(async (r) => {
        const body = await r.json();
        if (!r.ok) throw new Error(`${r.status} ${body.message}`);
        console.log(body.code);
      })
      .catch((e) => { console.error(`enrollment code: ${e.message}`); process.exit(1); });
  ' "$HUB_URL" "$HUB_ADMIN_TOKEN" "$1" "$2"
}

# A cashier's terminal at store-001: in Electron where its binary is installed, otherwise served
# to the browser (same renderer). Provisioned through the environment (/config.json).
# Uses STORE_NODE_URL, STORE_NODE_LOG, NATS_WS_URL, HUB_URL, HUB_ADMIN_TOKEN.
start_store_node() {
  section "store node ($STORE_NODE_URL, store-001, node store-001-t1)"
  export STOCKNERVE_LOCATION="${STOCKNERVE_LOCATION:-store-001}"
  export STOCKNERVE_REGION="${STOCKNERVE_REGION:-north}"
  export STOCKNERVE_NODE="${STOCKNERVE_NODE:-store-001-t1}"
  export STOCKNERVE_NATS_URL="${STOCKNERVE_NATS_URL:-$NATS_WS_URL}"
  export STOCKNERVE_HUB_URL="${STOCKNERVE_HUB_URL:-$HUB_URL}"
  STOCKNERVE_ENROLLMENT_CODE="$(enrollment_code "$STOCKNERVE_LOCATION" "$STOCKNERVE_NODE")"
  export STOCKNERVE_ENROLLMENT_CODE
  spawn_group 'store node' "$STORE_NODE_LOG" node apps/store-node/dist/electron/start.js
  wait_until 'store node' "${children[-1]}" 120 http_ok "$STORE_NODE_URL/config.json"
}

# Runs until a signal arrives, or a child exits (then stops the rest and exits with its status).
# A child whose name starts with "nats-server" (or with one of the further prefixes given after $1)
# is an outage the demo survives: the function named by $1 is called with its name and status, and
# the others keep running.
supervise_children() {
  local on_nats_exit=$1 exited rc pid prefix survivable
  shift
  local -a prefixes=(nats-server "$@")
  local -a remaining
  set +e
  while :; do
    exited=''
    wait -n -p exited "${children[@]}"
    rc=$?
    [[ -n "$exited" ]] || continue
    remaining=()
    for pid in "${children[@]}"; do [[ "$pid" == "$exited" ]] || remaining+=("$pid"); done
    children=("${remaining[@]}")
    survivable=''
    for prefix in "${prefixes[@]}"; do [[ "${name_of[$exited]}" == "$prefix"* ]] && survivable=1; done
    if [[ -n "$survivable" && ${#children[@]} -gt 0 ]]; then
      "$on_nats_exit" "${name_of[$exited]}" "$rc"
      continue
    fi
    show_log_tail "${log_of[$exited]}"
    log "${name_of[$exited]} exited (status $rc; full output in ${log_of[$exited]}); stopping the others"
    exit "$((rc == 0 ? 1 : rc))"
  done
}
