#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (/usr/bin/chromium) through playwright-core, which
# downloads no browser of its own. Installs it with apt-get when it is missing (about a minute:
# ~110 packages, ~110 MB); needs root or sudo. Set CHROMIUM_PATH to use another Chromium instead.
set -euo pipefail

browser=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ -x "$browser" ]; then exit 0; fi
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable." >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "No Chromium at /usr/bin/chromium and no apt-get to install it. Install Chromium and set CHROMIUM_PATH to its executable." >&2
  exit 1
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "No Chromium at /usr/bin/chromium; installing it needs root: apt-get install -y chromium" >&2
    exit 1
  fi
fi

echo "Installing Debian's chromium for the browser tests (apt-get, about a minute)…"
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
[ -x /usr/bin/chromium ] || { echo "apt-get finished but /usr/bin/chromium is missing." >&2; exit 1; }
echo "Chromium installed: /usr/bin/chromium"
