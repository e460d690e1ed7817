#!/usr/bin/env bash
# The web participant's npm packages (libsodium for the page, puppeteer-core for its browser
# test), pinned by web/package-lock.json: `npm ci` when web/node_modules is missing or older
# than the lockfile. Node and npm come from Debian (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../web"
if ! command -v npm >/dev/null; then
  # Debian's nodejs has npm apart (a nodejs from elsewhere may bring its own).
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm
fi
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ]; then
  exit 0
fi
echo "ttycall: npm ci in web/"
# puppeteer-core never downloads a browser: the tests drive Debian's /usr/bin/chromium.
PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
