#!/usr/bin/env bash
# Installs dependencies from the lockfile when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

# As package.json's engines: 20.19 or later 20.x (crypto.hash, Vite 8), or 22.12 or later 22.x.
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit((a === 20 && b >= 19) || (a === 22 && b >= 12) ? 0 : 1)' 2>/dev/null; then
  echo "Node.js 20.19+ or 22.12+ is required (found $(node --version 2>/dev/null || echo none))." >&2
  exit 1
fi
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing dependencies from package-lock.json (npm ci; better-sqlite3 compiles, about 2 minutes)…"
  npm ci --no-audit --no-fund
fi
