#!/usr/bin/env bash
# The HTML report of the seeds' scenario, opened in headless Chromium (Debian's
# chromium and chromedriver, through python3-selenium): no console errors, the
# sequence diagram's arrows in the story's order, packets that open layer by
# layer. The screenshots stay in OUTPUT_DIR with the test's output.
#
#   report_browser_test.sh MINTERNET OUTPUT_DIR
set -euo pipefail
minternet=$1
output=$2
here=$(cd "$(dirname "$0")" && pwd)
for tool in /usr/bin/chromium /usr/bin/chromedriver /usr/bin/python3; do
    [[ -x $tool ]] || { echo "report browser test: $tool is missing (make deps installs it)" >&2; exit 1; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null ||
    { echo "report browser test: python3-selenium is missing (make deps installs it)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$output"
"$minternet" run --out "$work/seeds" --quiet >"$work/run.txt"
report=$work/seeds/report.html
grep -q "Report: $report" "$work/run.txt" || { echo "the run did not say where its report is:" >&2; cat "$work/run.txt" >&2; exit 1; }
cp "$report" "$output/seeds-report.html"
/usr/bin/python3 "$here/report_browser_test.py" "$output/seeds-report.html" "$output/seeds-report.png"
