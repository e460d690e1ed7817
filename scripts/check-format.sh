#!/usr/bin/env bash
# The format check: every *.cpp and *.h under src, tests, bench and fuzz must be as
# clang-format (with the tree's .clang-format) writes it. Names each file that is not and
# shows the change clang-format would make, then fails. `make check-format` runs it alone,
# `make test` (what CI runs) before it builds anything.
#   --fix   format those files in place instead (what `make format` does)
# CLANG_FORMAT picks another binary (default: clang-format). Another major version of
# clang-format may format a few constructs differently: the check says which one it used.
set -euo pipefail
cd "$(dirname "$0")/.."

FOLDERS=(src tests bench fuzz)
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
DIFF_LINES=40  # per file; the names are what matters, the diff shows what kind of change

if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
  echo "ttycall: $CLANG_FORMAT is not installed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi

files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(
  find "${FOLDERS[@]}" -type f \( -name '*.cpp' -o -name '*.h' \) -print0 | sort -z)

if [ "${1:-}" = "--fix" ]; then
  "$CLANG_FORMAT" -i "${files[@]}"
  echo "formatted ${#files[@]} files in ${FOLDERS[*]}"
  exit 0
fi

# One run over all files; each place that differs is reported as "path:line:col: error: ...".
status=0
report=$("$CLANG_FORMAT" --dry-run --Werror "${files[@]}" 2>&1) || status=$?
if [ "$status" -eq 0 ]; then
  echo "format check: ${#files[@]} files in ${FOLDERS[*]} are formatted ($("$CLANG_FORMAT" --version))"
  exit 0
fi

unformatted=()
while IFS= read -r f; do unformatted+=("$f"); done < <(
  printf '%s\n' "$report" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' | sort -u)
if [ ${#unformatted[@]} -eq 0 ]; then
  # clang-format failed without naming a place: a broken .clang-format, an unreadable file.
  printf '%s\n' "$report" >&2
  echo "ttycall: $CLANG_FORMAT failed (exit code $status)" >&2
  exit 2
fi

for f in "${unformatted[@]}"; do
  places=$(printf '%s\n' "$report" | grep -c "^$f:[0-9]*:[0-9]*: error: " || true)
  echo "--- $f: not formatted ($places place(s)); clang-format would change it so:"
  "$CLANG_FORMAT" "$f" | diff -u --label "$f" --label "$f (formatted)" "$f" - |
    tail -n +3 | head -n "$DIFF_LINES" || true
done
echo
echo "format check FAILED: ${#unformatted[@]} of ${#files[@]} files are not formatted:"
printf '  %s\n' "${unformatted[@]}"
echo "run \`make format\` (or scripts/check-format.sh --fix) and commit the result;"
echo "checked with $("$CLANG_FORMAT" --version)"
exit 1
