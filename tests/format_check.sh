#!/usr/bin/env bash
# Fails if any C++ source under src/ differs from what .clang-format prescribes.
set -euo pipefail
root=${1:?usage: format_check.sh SOURCE_DIR}
cd "$root"
command -v clang-format >/dev/null || { echo "clang-format is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
mapfile -t files < <(find src -name '*.cc' -o -name '*.h' | sort)
if ! clang-format --dry-run -Werror "${files[@]}" 2>/tmp/cf_format_$$.log; then
  grep -E '^[^ ].*: (error|warning)' /tmp/cf_format_$$.log | cut -d: -f1 | sort -u | sed 's/^/not formatted: /' >&2
  echo "run: clang-format -i \$(git ls-files '*.cc' '*.h')" >&2
  rm -f /tmp/cf_format_$$.log
  exit 1
fi
rm -f /tmp/cf_format_$$.log
echo "${#files[@]} files formatted"
