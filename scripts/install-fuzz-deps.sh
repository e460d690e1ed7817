#!/usr/bin/env bash
# Installs what the libFuzzer build needs (clang, the libFuzzer/ASan/UBSan runtimes and
# llvm-symbolizer for readable stack traces) on top of scripts/install-deps.sh. Only
# `make fuzz` calls it: the normal build and `make test` do not need clang. Idempotent: it
# only calls apt-get when something is missing.
set -euo pipefail

# Debian 12's default clang is 14, which cannot compile the project: libstdc++ 12's
# <source_location> (used by src/core/alloc_accounting.h) needs __builtin_source_location,
# which clang has from version 15. Bookworm also ships clang 19 (main), so the fuzz preset
# uses clang-19; libclang-rt-19-dev holds its libFuzzer/ASan/UBSan runtimes, and llvm-19
# gives the llvm-symbolizer that reads clang 19's debug info (stack traces with lines).
CLANG=clang-19
PACKAGES=(clang-19 libclang-rt-19-dev llvm-19)

bash "$(dirname "$0")/install-deps.sh" "${PACKAGES[@]}"

# The runtime must really be there: a missing libclang_rt.fuzzer gives a confusing link error.
if ! ls "$($CLANG -print-resource-dir)"/lib/*/libclang_rt.fuzzer*.a >/dev/null 2>&1; then
  echo "ttycall: clang is installed but its libFuzzer runtime (libclang_rt.fuzzer) is missing;" >&2
  echo "         install the compiler-rt package that matches \`$CLANG --version\`." >&2
  exit 1
fi
