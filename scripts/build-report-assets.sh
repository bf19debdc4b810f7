#!/usr/bin/env bash
# Bundles the HTML report's program and style (web/report) with esbuild and
# writes them out as C++ source, so the minternet binary carries them and a
# report needs nothing else (docs/report.md). Called by the build (src/report).
#
#   build-report-assets.sh OUT.cpp WORK_DIR
#
# node_modules comes from web/report/package-lock.json through `npm ci`, run
# again only when the lock file changes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
web=$root/web/report
out_cpp=$1
work=$2
mkdir -p "$work"

if ! command -v npm >/dev/null; then
    echo "build-report-assets: npm is missing (scripts/install-deps.sh installs it)" >&2
    exit 1
fi
stamp=$web/node_modules/.minternet-lock
if ! cmp -s "$web/package-lock.json" "$stamp"; then
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$web/package-lock.json" "$stamp"
fi

esbuild=$web/node_modules/.bin/esbuild
cd "$web"
"$esbuild" src/main.js --bundle --minify --format=iife --target=es2020 --log-level=warning \
    --outfile="$work/report.js"
"$esbuild" src/report.css --bundle --minify --log-level=warning --outfile="$work/report.css"
python3 "$root/scripts/embed-assets.py" "$out_cpp" "$work/report.js" "$work/report.css"
