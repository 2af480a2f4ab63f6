#!/usr/bin/env bash
# Make the dashboard harness runnable: Debian's chromium and the harness's npm packages.
# Idempotent and quiet when everything is already there; called by `make test` and `make screenshots`.
# Needs only the Debian and npm registries (never downloads a browser from elsewhere).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HARNESS="$HERE/dashboards/harness"
CHROMIUM="${OKTA_IR_CHROMIUM:-/usr/bin/chromium}"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "setup-browser: need root to install $*; run as root or install it yourself" >&2; exit 1
    fi
}

apt_install() {
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ! -x "$CHROMIUM" ]; then
    echo "setup-browser: installing chromium (apt)"
    apt_install chromium fonts-liberation
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "setup-browser: installing nodejs and npm (apt)"
    apt_install nodejs npm
fi

# node_modules is stale when package-lock.json changed after the last install
STAMP="$HARNESS/node_modules/.package-lock.json"
if [ ! -d "$HARNESS/node_modules/@splunk/dashboard-core" ] || [ ! -f "$STAMP" ] \
    || [ "$HARNESS/package-lock.json" -nt "$STAMP" ]; then
    echo "setup-browser: npm ci in dashboards/harness"
    (cd "$HARNESS" && npm ci --no-audit --no-fund --loglevel=error)
fi
