#!/usr/bin/env bash
# The house style (.clang-format) on every C and C++ file of the tree; with a
# revision, only on the files changed since it. Prints the files that differ
# and exits 1 when any does; `clang-format -i FILE` fixes one.
# Usage: scripts/format-check.sh [BASE_REV]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
  mapfile -t files < <(git diff --name-only --diff-filter=ACMR "$1" -- '*.cpp' '*.hpp' '*.h' '*.c')
else
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.c')
fi
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "not in the house style: $f (run: clang-format -i $f)"
    bad=1
  fi
done
echo "format check: ${#files[@]} files"
exit $bad
