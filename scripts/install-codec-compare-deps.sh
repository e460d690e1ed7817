#!/usr/bin/env bash
# Installs what the picture codec comparison (bench/codec_compare.cpp, `make codec-compare`)
# needs on top of scripts/install-deps.sh: libwebp for the WebP candidates, libjpeg's own API
# for the quantisation-table candidates and libvpx for the VP8 one. Only `make codec-compare`
# calls it: ttycall itself uses none of them, and CMake builds ttycall_codec_compare only
# where libwebp and libjpeg are found (VP8 only with libvpx).
# Idempotent: it only calls apt-get when something is missing.
set -euo pipefail

PACKAGES=(libwebp-dev libvpx-dev libjpeg62-turbo-dev)

bash "$(dirname "$0")/install-deps.sh" "${PACKAGES[@]}"
