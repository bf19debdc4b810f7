#!/bin/sh
# Builds the report page for DATA.json (default: dev/sample.json) into OUT.html,
# exactly as `minternet run` writes it (docs/report.md): the CSS bundle in a
# <style>, <div id="app">, the data in <script type="application/json"
# id="run-data"> with every "</" written "<\/", then the JS bundle.
#
#   sh dev/build-page.sh OUT.html [DATA.json]
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OUT.html [DATA.json]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
case "$1" in /*) out=$1 ;; *) out=$(pwd)/$1 ;; esac
data=${2:-$here/dev/sample.json}
case "$data" in /*) ;; *) data=$(pwd)/$data ;; esac
[ -f "$data" ] || { echo "$0: no such data file: $data" >&2; exit 1; }

cd "$here"
if [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund >&2
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
./node_modules/.bin/esbuild src/main.js --bundle --minify --format=iife --target=es2020 --outfile="$dir/report.js" --log-level=warning
./node_modules/.bin/esbuild src/report.css --bundle --minify --outfile="$dir/report.css" --log-level=warning

name=$(node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(d.name || "run").replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"})[c]))' "$data")

mkdir -p "$(dirname "$out")"
{
    printf '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>minternet — %s</title>\n<style>' "$name"
    cat "$dir/report.css"
    printf '</style></head>\n<body><div id="app"></div>\n<script type="application/json" id="run-data">'
    sed 's#</#<\\/#g' "$data"
    printf '</script>\n<script>'
    cat "$dir/report.js"
    printf '</script></body></html>\n'
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "$out ($(wc -c < "$out") bytes)"
