#!/usr/bin/env bash
# Runs each libFuzzer target for FUZZ_SECONDS (default 60) on a working copy of its seed
# corpus, one target at a time, each in a single process (no -jobs/-workers: those start
# extra processes; the machine is shared), and prints the executions per target. Exits
# non-zero if any target found a crash, a leak, a timeout or a failed check; the input is
# kept under fuzz/findings/<target>/ (add it to fuzz/corpus/<target>/ once the bug is
# fixed). Called by `make fuzz` after the build; see fuzz/README.md.
#
#   FUZZ_SECONDS=600 FUZZ_TARGETS="video_fuzz" fuzz/run-fuzz.sh
#
# Environment:
#   FUZZ_SECONDS   time per target (libFuzzer -max_total_time), default 60
#   FUZZ_TARGETS   which targets, default all four
#   FUZZ_BUILD     the build directory of the fuzz preset, default build-fuzz
#   FUZZ_MERGE=1   afterwards, merge inputs that add coverage back into fuzz/corpus/<target>/
#                  (only inputs up to FUZZ_MERGE_MAX_LEN bytes, default 2048); off by default
#                  so the repository corpus stays a few KiB of readable seeds
#   FUZZ_ARGS      extra libFuzzer flags
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${FUZZ_BUILD:-$root/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
targets="${FUZZ_TARGETS:-packet_fuzz handshake_fuzz video_fuzz audio_fuzz secure_fuzz web_fuzz}"

# Readable stack traces need the symbolizer of the compiler's LLVM (an older one prints
# function names without lines for clang 19's DWARF 5).
for s in /usr/lib/llvm-19/bin/llvm-symbolizer "$(command -v llvm-symbolizer || true)"; do
  if [ -n "$s" ] && [ -x "$s" ]; then
    export ASAN_SYMBOLIZER_PATH="$s"
    break
  fi
done
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# Per-target libFuzzer options: the JPEG path needs room for progressive images with many
# scans; everything else fits the 4 KiB default.
max_len_of() {
  case "$1" in
    video_fuzz) echo 16384 ;;
    *) echo 4096 ;;
  esac
}

mkdir -p "$build/corpus-work" "$build/fuzz-logs"
failed=()
summary=()
for t in $targets; do
  bin="$build/fuzz/$t"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin is missing; build it with: cmake --preset fuzz && cmake --build --preset fuzz" >&2
    exit 2
  fi
  work="$build/corpus-work/$t"
  findings="$root/fuzz/findings/$t"
  log="$build/fuzz-logs/$t.log"
  mkdir -p "$work" "$findings"
  # The working corpus keeps what earlier runs found; the seeds are (re)added to it.
  cp -n "$root/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true

  echo "fuzz: $t for ${seconds}s (log: ${log#$root/})"
  dict=()
  if [ -f "$root/fuzz/$t.dict" ]; then dict=(-dict="$root/fuzz/$t.dict"); fi
  set +e
  # shellcheck disable=SC2086
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len="$(max_len_of "$t")" -print_final_stats=1 -artifact_prefix="$findings/" \
    "${dict[@]}" ${FUZZ_ARGS:-} "$work" >"$log" 2>&1
  rc=$?
  set -e

  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)"
  files="$(find "$work" -type f | wc -l)"
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    summary+=("$(printf '%-16s FAILED (exit %s) after %s executions' "$t" "$rc" "${execs:-?}")")
    echo "fuzz: $t FAILED; the end of its log:" >&2
    grep -nE 'ERROR|FUZZ_CHECK|runtime error|SUMMARY|Test unit written|^ +#[0-9]+ ' "$log" | head -40 >&2 || true
    echo "fuzz: the input is in ${findings#$root/}/ (reproduce: $bin <file>)" >&2
  else
    summary+=("$(printf '%-16s %12s executions in %4ss (%s/s), %s, %s corpus files' \
      "$t" "${execs:-?}" "$seconds" "${rate:-?}" "${cov:-cov: ?}" "$files")")
    # Drop the findings directory again when it stayed empty.
    rmdir "$findings" 2>/dev/null || true
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then
      "$bin" -merge=1 -max_len="${FUZZ_MERGE_MAX_LEN:-2048}" "$root/fuzz/corpus/$t" "$work" \
        >>"$log" 2>&1
      echo "fuzz: merged into fuzz/corpus/$t: $(du -sh "$root/fuzz/corpus/$t" | cut -f1)"
    fi
  fi
done
rmdir "$root/fuzz/findings" 2>/dev/null || true

echo
echo "fuzz: summary"
for line in "${summary[@]}"; do echo "  $line"; done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: findings in: ${failed[*]} (inputs under fuzz/findings/)" >&2
  exit 1
fi
