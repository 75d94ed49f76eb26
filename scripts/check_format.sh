#!/usr/bin/env bash
# The C++ sources' layout (the ctest `clang_format`): every tracked .cc and .h file must be as
# clang-format 14 (Debian's clang-format-14) writes it with the repository's .clang-format.
# Exits 77 (skipped) with a message when clang-format 14 is not installed: other versions lay
# some constructs out differently. To reformat: scripts/check_format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."
cf=""
for c in clang-format-14 clang-format; do
  if command -v "$c" >/dev/null 2>&1 && "$c" --version | grep -q 'version 14\.'; then cf=$c; break; fi
done
if [ -z "$cf" ]; then
  echo "skipped: clang-format 14 is not installed (Debian: clang-format)"
  exit 77
fi
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find . -path ./build\* -prune -o \( -name '*.cc' -o -name '*.h' \) -print)
if [ "${1:-}" = "--fix" ]; then
  "$cf" -i "${files[@]}"
  exit 0
fi
"$cf" --dry-run -Werror "${files[@]}"
echo "clang-format: ${#files[@]} files as $cf writes them"
