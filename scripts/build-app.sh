#!/usr/bin/env bash
# Build the Splunk app archive dist/TA-okta-ir-<version>.tar.gz and check it with AppInspect.
# Usage: scripts/build-app.sh VERSION        (make app runs it after `okta-ir build`)
# Needs the venv's ucc-gen and splunk-appinspect (pip install -e '.[app]').
set -euo pipefail
VERSION="${1:?usage: scripts/build-app.sh VERSION}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${OKTA_IR_VENV_BIN:-$ROOT/.venv/bin}"
OUT="$ROOT/output"
DIST="$ROOT/dist"
APP=TA-okta-ir
cd "$ROOT"

# ucc-gen rewrites the globalConfig it is given (version, ucc version): hand it a copy so the source stays clean.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp addon/globalConfig.json "$WORK/globalConfig.json"

rm -rf "$OUT/$APP"
"$BIN/ucc-gen" build --source addon/package --config "$WORK/globalConfig.json" \
    --ta-version "$VERSION" --pip-version 25.3 -o "$OUT"

# The CLI and the simulator are not part of the app; neither are caches.
rm -rf "$OUT/$APP/bin/okta_ir/cli" "$OUT/$APP/bin/okta_ir/simulator"
find "$OUT/$APP" -name '__pycache__' -type d -prune -exec rm -rf {} +
find "$OUT/$APP" -name '*.pyc' -delete

mkdir -p "$DIST"
rm -f "$DIST/$APP-$VERSION.tar.gz"
"$BIN/ucc-gen" package --path "$OUT/$APP" -o "$DIST"
ARCHIVE="$(ls -t "$DIST"/"$APP"*.tar.gz | head -n1)"
if [ "$ARCHIVE" != "$DIST/$APP-$VERSION.tar.gz" ]; then
    mv "$ARCHIVE" "$DIST/$APP-$VERSION.tar.gz"
fi
ARCHIVE="$DIST/$APP-$VERSION.tar.gz"
echo "archive: $ARCHIVE ($(du -k "$ARCHIVE" | cut -f1) KiB)"

REPORT="$DIST/appinspect-$VERSION.json"
"$BIN/splunk-appinspect" inspect "$ARCHIVE" --mode precert --included-tags cloud \
    --skip-trusted-libraries-update --output-file "$REPORT" --data-format json >"$DIST/appinspect-$VERSION.log" 2>&1 \
    || { tail -n 20 "$DIST/appinspect-$VERSION.log" >&2; echo "appinspect did not run to the end" >&2; exit 1; }
"$BIN/python" "$ROOT/scripts/appinspect_verdict.py" "$REPORT"
