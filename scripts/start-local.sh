#!/usr/bin/env bash
# The README's first command: install, make sure Redis runs, then start the api and the worker
# on the embedded SQLite store (./data/events.sqlite). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-deps.sh
bash scripts/ensure-redis.sh

export SWC_NODE_PROJECT=tsconfig.runtime.json
node -r @swc-node/register apps/worker/src/main.ts &
worker=$!
node -r @swc-node/register apps/api/src/main.ts &
api=$!
trap 'kill $api $worker 2>/dev/null; wait' INT TERM EXIT
echo "api on http://${API_HOST:-127.0.0.1}:${API_PORT:-3000} (OpenAPI at /api/docs), worker on http://${WORKER_HOST:-127.0.0.1}:${WORKER_PORT:-3001}/health"
wait -n $api $worker
