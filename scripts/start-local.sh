#!/usr/bin/env bash
# The README's first command: install, make sure Redis runs, build the web app, then start the api
# (which serves it) and the worker on the embedded SQLite store (./data/events.sqlite). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

# Unset NODE_ENV means production (fail closed), which needs a real token key source and
# PERSON_ID_KEY. This script is the local start, so it says development — whatever the shell has
# (set before npm ci too, which would skip the dev dependencies under NODE_ENV=production).
export NODE_ENV=development
# `npm run start:local -- --demo` (or DEMO_DATA=true): load the synthetic Stjørdal (scripts/demo.ts) once the api answers, unless the municipality already has data.
demo="${DEMO_DATA:-false}"
for arg in "$@"; do case "$arg" in --demo) demo=true ;; esac; done

bash scripts/ensure-deps.sh
bash scripts/ensure-redis.sh
# The api serves the built app from apps/web/dist (one origin); `npm run dev:web` is Vite's dev server instead.
npm run -s build:web

export SWC_NODE_PROJECT=tsconfig.runtime.json
node -r @swc-node/register apps/worker/src/main.ts &
worker=$!
node -r @swc-node/register apps/api/src/main.ts &
api=$!
if [ "$demo" = true ]; then node -r @swc-node/register scripts/demo.ts --if-empty & fi
trap 'kill $api $worker 2>/dev/null; wait' INT TERM EXIT
echo "NODE_ENV=development: web app on http://${API_HOST:-127.0.0.1}:${API_PORT:-3000}/ (sign in by picking a role), api under /api (OpenAPI at /api/docs), worker on http://${WORKER_HOST:-127.0.0.1}:${WORKER_PORT:-3001}/health"
wait -n $api $worker
