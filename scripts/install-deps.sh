#!/usr/bin/env bash
# Installs the Debian packages ttycall builds and tests with, plus any packages given as
# arguments (scripts/install-fuzz-deps.sh passes its own). Idempotent: it only calls
# apt-get when something is missing, so `make` stays fast on a machine that has them.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache
  libasio-dev libcli11-dev libspdlog-dev libfmt-dev nlohmann-json3-dev
  libopus-dev libsodium-dev portaudio19-dev libjpeg62-turbo-dev libturbojpeg0-dev libspeexdsp-dev
  libavformat-dev libavcodec-dev libswscale-dev libswresample-dev libavutil-dev libv4l-dev
  libgtest-dev libgmock-dev libbenchmark-dev tmux
  clang-format  # the format check (`make check-format`, run by `make test`)
  zsh fish  # only to syntax-check the generated shell completions
  systemd  # systemd-analyze, to verify the packaged unit
  libnats-dev nats-server  # the cluster (src/server/cluster); its tests run a nats-server
  libssl-dev nodejs chromium  # the web participant (--web) and its browser test
  openssl  # the TLS web test makes its certificate with the openssl command
  "$@"
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "ttycall: installing missing packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
