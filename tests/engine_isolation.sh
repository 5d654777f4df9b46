#!/usr/bin/env bash
# Engine isolation check: the engine libraries (cf_insight*, cf_strategy, cf_creative, cf_serving,
# cf_diagnosis) and the merchant surfaces (cf_action, cf_mcp, cf_server, cf_server_actions) must
# never depend on the simulated market (cf_market, src/market/). The engine sees the world only
# through events, the catalogue and prices; only the driver (src/sim) may wire the two.
#
# Usage: engine_isolation.sh <source dir> [<build dir>]
#
# Checks, each failing loudly with the offending file, path or symbol:
#   1. no engine source or header includes "market/..." (directly);
#   2. the CMake target graph has no path, direct or transitive, from an engine library to
#      cf_market (a scratch configure with --graphviz; the build dir is not touched);
#   3. with a build dir: no compiled engine object depends on a header under src/market/
#      (transitive includes, from ninja's dependency log), and no engine static library has an
#      undefined symbol that only libcf_market.a defines (a link-level dependency).
# Exit status: 0 clean, 1 violation, 2 usage or tool error.
set -u -o pipefail

ENGINE_DIRS=(insight strategy creative serving diagnosis action mcp server)
ENGINE_TARGETS=(cf_insight cf_insight_seq cf_insight_long cf_insight_kg cf_insight_content cf_strategy cf_creative cf_serving cf_diagnosis cf_action cf_mcp cf_server cf_server_actions)
FORBIDDEN_TARGET=cf_market

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 <source dir> [<build dir>]" >&2
  exit 2
fi
SRC=$(cd "$1" && pwd) || { echo "engine_isolation: no source dir '$1'" >&2; exit 2; }
BUILD=""
if [[ $# -eq 2 ]]; then
  BUILD=$(cd "$2" && pwd) || { echo "engine_isolation: no build dir '$2'" >&2; exit 2; }
fi
[[ -f "$SRC/CMakeLists.txt" ]] || { echo "engine_isolation: $SRC has no CMakeLists.txt" >&2; exit 2; }

violations=0
fail() {
  echo "ENGINE ISOLATION VIOLATION: $*" >&2
  violations=$((violations + 1))
}

TMP=$(mktemp -d "${TMPDIR:-/tmp}/engine_isolation.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

# ---- 1. Direct includes of market headers. -----------------------------------------------------
for d in "${ENGINE_DIRS[@]}"; do
  [[ -d "$SRC/src/$d" ]] || { echo "engine_isolation: missing $SRC/src/$d" >&2; exit 2; }
done
while IFS= read -r hit; do
  fail "engine source includes a market header: $hit"
done < <(cd "$SRC" && grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]market/' \
           "${ENGINE_DIRS[@]/#/src/}" 2>/dev/null)
echo "engine_isolation: include check done (src/{$(IFS=,; echo "${ENGINE_DIRS[*]}")})"
# The bidding benchmarks (src/bidbench, cf_bidbench) are evaluation code: the engine neither
# includes nor links them.
while IFS= read -r hit; do
  fail "engine source includes a benchmark (evaluation) header: $hit"
done < <(cd "$SRC" && grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]bidbench/' \
           "${ENGINE_DIRS[@]/#/src/}" 2>/dev/null)
while IFS= read -r hit; do
  fail "engine CMakeLists links the benchmarks: $hit"
done < <(cd "$SRC" && grep -nw 'cf_bidbench' "${ENGINE_DIRS[@]/#/src/}"/CMakeLists.txt 2>/dev/null)

# ---- 2. CMake target graph: no (transitive) edge from an engine library to cf_market. ----------
cmake_args=(-S "$SRC" -B "$TMP/configure" -DCF_BUILD_TESTS=OFF "--graphviz=$TMP/deps.dot")
if [[ -n "$BUILD" && -f "$BUILD/CMakeCache.txt" ]]; then
  # Configure like the real build (same generator, compiler and packages), in a scratch folder.
  gen=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$BUILD/CMakeCache.txt")
  [[ -n "$gen" ]] && cmake_args+=(-G "$gen")
  while IFS= read -r entry; do
    cmake_args+=("-D$entry")
  done < <(grep -E '^([A-Za-z0-9_]+_DIR:PATH|CMAKE_CXX_COMPILER:FILEPATH|CMAKE_MAKE_PROGRAM:FILEPATH|CMAKE_PREFIX_PATH:[A-Z]+)=' \
             "$BUILD/CMakeCache.txt")
fi
if ! cmake "${cmake_args[@]}" >"$TMP/configure.log" 2>&1; then
  echo "engine_isolation: cmake configure failed; log:" >&2
  cat "$TMP/configure.log" >&2
  exit 2
fi
[[ -s "$TMP/deps.dot" ]] || { echo "engine_isolation: cmake wrote no graph" >&2; exit 2; }

# Nodes: "nodeN" [ label = "name" ... ]; edges: "nodeA" -> "nodeB". Prints, for every engine
# target that reaches cf_market, the path.
paths=$(awk -v targets="${ENGINE_TARGETS[*]}" -v bad="$FORBIDDEN_TARGET" '
  /^[[:space:]]*"node[0-9]+"[[:space:]]*\[[[:space:]]*label/ {
    id = $1; gsub(/"/, "", id)
    if (match($0, /label = "[^"]*"/)) name[id] = substr($0, RSTART + 9, RLENGTH - 10)
    next
  }
  /^[[:space:]]*"node[0-9]+"[[:space:]]*->[[:space:]]*"node[0-9]+"/ {
    a = $1; b = $3; gsub(/"/, "", a); gsub(/"/, "", b)
    adj[a] = adj[a] " " b
    next
  }
  END {
    for (id in name) byname[name[id]] = id
    if (!(bad in byname)) { print "ERROR no target " bad " in the graph"; exit }
    n = split(targets, ts, " ")
    for (i = 1; i <= n; i++) {
      t = ts[i]
      if (!(t in byname)) { print "ERROR no target " t " in the graph"; continue }
      delete seen; delete from
      head = 1; tail = 1; q[1] = byname[t]; seen[byname[t]] = 1
      while (head <= tail) {
        u = q[head++]
        if (u == byname[bad]) {
          p = name[u]
          while (u in from) { u = from[u]; p = name[u] " -> " p }
          print "PATH " p
          break
        }
        m = split(adj[u], vs, " ")
        for (k = 1; k <= m; k++) {
          v = vs[k]
          if (v != "" && !(v in seen)) { seen[v] = 1; from[v] = u; q[++tail] = v }
        }
      }
    }
  }' "$TMP/deps.dot")
while IFS= read -r line; do
  case "$line" in
    PATH*) fail "engine library links the market: ${line#PATH }" ;;
    ERROR*) echo "engine_isolation: ${line#ERROR }" >&2; exit 2 ;;
  esac
done <<<"$paths"
echo "engine_isolation: target graph check done (${ENGINE_TARGETS[*]} -/-> $FORBIDDEN_TARGET)"

# ---- 3. The build itself: transitive includes and undefined symbols. ---------------------------
if [[ -n "$BUILD" ]]; then
  if [[ -f "$BUILD/build.ninja" && -f "$BUILD/.ninja_deps" ]] && command -v ninja >/dev/null; then
    objs=()
    for d in "${ENGINE_DIRS[@]}"; do
      while IFS= read -r o; do objs+=("${o#"$BUILD"/}"); done < <(
        find "$BUILD/src/$d/CMakeFiles" -path "*/cf_$d.dir/*" -name '*.o' 2>/dev/null | sort)
    done
    if [[ ${#objs[@]} -gt 0 ]]; then
      ninja -C "$BUILD" -t deps "${objs[@]}" >"$TMP/ninja_deps.txt" 2>/dev/null || true
      awk -v market="$SRC/src/market/" '
        /^[^ ].*: #deps/ { obj = $1; sub(/:$/, "", obj); next }
        index($1, market) == 1 { print obj " includes " $1 }' "$TMP/ninja_deps.txt" |
        while IFS= read -r hit; do echo "$hit"; done >"$TMP/include_hits.txt"
      while IFS= read -r hit; do fail "engine object depends on a market header: $hit"; done \
        <"$TMP/include_hits.txt"
      echo "engine_isolation: transitive include check done (${#objs[@]} engine objects)"
    else
      echo "engine_isolation: no engine objects built yet in $BUILD; transitive include check skipped"
    fi
  else
    echo "engine_isolation: $BUILD is not a built ninja tree; transitive include check skipped"
  fi

  market_lib="$BUILD/src/market/libcf_market.a"
  if command -v nm >/dev/null && [[ -f "$market_lib" ]]; then
    # Strong symbols that cf_market defines.
    nm -g --defined-only "$market_lib" 2>/dev/null | awk 'NF == 3 && $2 ~ /^[TDBR]$/ { print $3 }' |
      sort -u >"$TMP/market_defs.txt"
    # Symbols that any engine or common library defines itself (weak copies included).
    : >"$TMP/engine_defs.txt"
    for lib in "$BUILD"/src/{common,insight,strategy,creative,serving,diagnosis,action,mcp,server}/libcf_*.a; do
      [[ -f "$lib" ]] || continue
      nm -g --defined-only "$lib" 2>/dev/null | awk 'NF == 3 { print $3 }' >>"$TMP/engine_defs.txt"
    done
    sort -u -o "$TMP/engine_defs.txt" "$TMP/engine_defs.txt"
    checked=0
    for d in "${ENGINE_DIRS[@]}"; do
      lib="$BUILD/src/$d/libcf_$d.a"
      [[ -f "$lib" ]] || continue
      checked=$((checked + 1))
      nm -g --undefined-only "$lib" 2>/dev/null | awk '$1 == "U" { print $2 }' | sort -u |
        comm -23 - "$TMP/engine_defs.txt" | comm -12 - "$TMP/market_defs.txt" >"$TMP/needs.txt"
      while IFS= read -r sym; do
        fail "libcf_$d.a needs symbol $(c++filt "$sym" 2>/dev/null || echo "$sym") defined only by libcf_market.a"
      done <"$TMP/needs.txt"
    done
    echo "engine_isolation: symbol check done ($checked engine libraries against libcf_market.a)"
  else
    echo "engine_isolation: no nm or no $market_lib; symbol check skipped"
  fi
fi

if [[ $violations -gt 0 ]]; then
  echo "engine_isolation: FAILED with $violations violation(s): the engine (src/{insight,strategy,creative,serving,diagnosis,action,mcp,server}) must not depend on src/market; move the code to src/sim or pass what the engine needs through events and the catalogue." >&2
  exit 1
fi
echo "engine_isolation: OK"
