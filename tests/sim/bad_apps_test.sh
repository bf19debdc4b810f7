#!/usr/bin/env bash
# Application parameters are checked by the app catalog when the apps are
# launched (src/scenario/catalog.cpp), not by the topology loader, so these
# files load and fail only under `minternet run`. Each file's first line is the
# error it must produce: "# expect: LINE:COLUMN: part of the message". The run
# must exit with status 2 and print "FILE:LINE:COLUMN: ..." on stderr. Lines
# right after it of the form "# and: TEXT" name more text stderr must hold (an
# error from a file the topology names, such as a zone file, with its own place).
#
#   bad_apps_test.sh MINTERNET_BINARY [DATA_DIR]
#
# DATA_DIR defaults to tests/data/topology/bad-apps next to this script.
set -uo pipefail

bin=${1:?usage: bad_apps_test.sh MINTERNET_BINARY [DATA_DIR]}
dir=${2:-$(cd "$(dirname "$0")/../data/topology/bad-apps" && pwd)}
min_files=4

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

shopt -s nullglob
files=("$dir"/*.yaml)
if ((${#files[@]} < min_files)); then
    echo "bad_apps_test: only ${#files[@]} files in $dir (want at least $min_files)" >&2
    exit 1
fi

failed=0
for file in "${files[@]}"; do
    header=$(head -n 1 "$file")
    expected=${header#"# expect: "}
    if [[ "$header" == "$expected" || -z "$expected" ]]; then
        echo "FAIL $file: the first line must be '# expect: LINE:COLUMN: message'" >&2
        failed=1
        continue
    fi
    # A file that is wrongly accepted runs its apps; the timeout keeps that short.
    timeout 60 "$bin" run "$file" --out "$out/run" >"$out/stdout" 2>"$out/stderr"
    status=$?
    stderr=$(<"$out/stderr")
    missing=""
    while IFS= read -r line; do
        also=${line#"# and: "}
        [[ "$stderr" == *"$also"* ]] || missing+=" '$also'"
    done < <(sed -n '2,$p' "$file" | sed -n '/^# and: /p;/^# and: /!q')
    if ((status != 2)) || [[ "$stderr" != *"$file:$expected"* ]] || [[ -n "$missing" ]]; then
        echo "FAIL $file" >&2
        echo "  expected: exit status 2, stderr containing $file:$expected$missing" >&2
        echo "  got:      exit status $status, stderr: $stderr" >&2
        failed=1
    else
        echo "ok   $file"
    fi
done
exit "$failed"
