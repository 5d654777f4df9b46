#!/usr/bin/env bash
# Builds the dashboard into web/dist (served by `chengfang serve --web web/dist`).
# Idempotent: `npm ci` reinstalls exactly the locked versions; quiet unless something fails.
set -euo pipefail
cd "$(dirname "$0")"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  cat "$log" >&2
  echo "web/build.sh: npm ci failed" >&2
  exit 1
fi
if ! npm run --silent build >"$log" 2>&1; then
  cat "$log" >&2
  echo "web/build.sh: npm run build failed" >&2
  exit 1
fi
echo "web/build.sh: built $(pwd)/dist"
