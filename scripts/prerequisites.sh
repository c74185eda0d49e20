# Sourced by scripts/run and scripts/test: installs what a fresh machine lacks, failing loudly when it cannot.
jcable_install_packages() {
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  else
    echo "jcable: please install: $*" >&2
    return 1
  fi
}

# The redis-server binary (tests start private servers on free ports; scripts/run may start one).
jcable_require_redis_binary() {
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "jcable: redis-server not found, installing it" >&2
    jcable_install_packages redis-server || { echo "jcable: cannot install redis-server" >&2; return 1; }
  fi
}

# nats-server and redis-sentinel: the tests of several nodes start private ones (NATS pub/sub and adapter,
# Redis Sentinel failover).
jcable_require_cluster_binaries() {
  local missing=()
  command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing+=(nats-server)
  command -v redis-sentinel >/dev/null 2>&1 || [ -x /usr/bin/redis-sentinel ] || missing+=(redis-sentinel)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "jcable: ${missing[*]} not found, installing" >&2
    jcable_install_packages "${missing[@]}" || { echo "jcable: cannot install ${missing[*]}" >&2; return 1; }
  fi
}

# Node.js and the official JavaScript clients (@rails/actioncable, @anycable/web) used by the end-to-end tests.
jcable_require_node_client() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "jcable: node/npm not found, installing them" >&2
    jcable_install_packages nodejs npm || { echo "jcable: cannot install node and npm" >&2; return 1; }
  fi
  local package
  for package in @rails/actioncable @anycable/web @anycable/core ws playwright-core; do
    if [ ! -f "src/test/js/node_modules/$package/package.json" ]; then
      npm ci --prefix src/test/js --no-audit --no-fund --loglevel=error || {
        echo "jcable: npm ci in src/test/js failed" >&2; return 1; }
      break
    fi
  done
}

# Debian's Chromium, which the demo page's browser test (DemoModeTest) drives through playwright-core.
jcable_require_browser() {
  if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "jcable: ${CHROMIUM:-/usr/bin/chromium} not found, installing Debian's chromium" >&2
    jcable_install_packages chromium || { echo "jcable: cannot install chromium (apt-get install -y chromium)" >&2; return 1; }
  fi
}

# A Redis answering on host:port, started in the background when nothing answers there.
jcable_ensure_redis_running() {
  local host=$1 port=$2
  if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
    return 0
  fi
  jcable_require_redis_binary || return 1
  echo "jcable: no Redis on $host:$port, starting redis-server there" >&2
  redis-server --daemonize yes --bind "$host" --port "$port" --save "" --appendonly no \
    --logfile "${TMPDIR:-/tmp}/jcable-redis-$port.log" || return 1
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "jcable: redis-server did not come up on $host:$port" >&2
  return 1
}
