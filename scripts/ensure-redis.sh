#!/usr/bin/env bash
# Makes sure a Redis answers at REDIS_URL (default redis://127.0.0.1:6379). Starts a local
# redis-server when one is installed but not running; otherwise says how to get one.
set -euo pipefail
cd "$(dirname "$0")/.."

url=${REDIS_URL:-redis://127.0.0.1:6379}
hostport=${url#*://}
hostport=${hostport#*@}
hostport=${hostport%%/*}
host=${hostport%:*}
port=${hostport##*:}
[ "$host" = "$hostport" ] && port=6379

ping() {
  node -e '
    const net = require("node:net");
    const s = net.connect({ host: process.argv[1], port: Number(process.argv[2]) });
    s.setTimeout(1000, () => process.exit(1));
    s.on("error", () => process.exit(1));
    s.on("connect", () => s.write("PING\r\n"));
    s.on("data", (d) => process.exit(String(d).startsWith("+PONG") || String(d).startsWith("-NOAUTH") ? 0 : 1));
  ' "$host" "$port"
}

if ping; then exit 0; fi

if [ "$host" != "127.0.0.1" ] && [ "$host" != "localhost" ]; then
  echo "Redis at $host:$port does not answer. Start it, or unset REDIS_URL to use a local one." >&2
  exit 1
fi

if command -v redis-server >/dev/null 2>&1; then
  echo "Starting a local redis-server on 127.0.0.1:$port (no persistence, maxmemory-policy noeviction)…"
  mkdir -p tmp/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --maxmemory-policy noeviction --dir "$PWD/tmp/redis" --logfile "$PWD/tmp/redis/redis.log"
  for _ in $(seq 1 50); do
    if ping; then exit 0; fi
    sleep 0.1
  done
  echo "redis-server was started but does not answer on 127.0.0.1:$port; see tmp/redis/redis.log" >&2
  exit 1
fi

cat >&2 <<MSG
No Redis answers on 127.0.0.1:$port and redis-server is not installed.
Get one of:
  - Debian/Ubuntu: sudo apt-get install redis-server   (then run this command again)
  - macOS:         brew install redis
  - Docker:        docker compose -f infra/docker-compose.yml up -d redis
or point REDIS_URL at a Redis you have (it must run with maxmemory-policy noeviction).
MSG
exit 1
