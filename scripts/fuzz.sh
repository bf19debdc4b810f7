#!/usr/bin/env bash
# Builds the fuzz preset (clang + libFuzzer + ASan/UBSan) and runs every fuzz
# target for SECONDS each (default 60). The checked-in seeds in fuzz/corpus/NAME
# start each run; new inputs go to build/fuzz/corpus/NAME. Any crash, leak,
# timeout or sanitizer report fails the script and leaves the input in
# build/fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target fuzz_targets >/dev/null

mkdir -p build/fuzz/crashes
shopt -s nullglob
targets=(build/fuzz/fuzz/fuzz_*)
if ((${#targets[@]} == 0)); then
    echo "fuzz: no fuzz targets were built" >&2
    exit 1
fi
failed=0
for bin in "${targets[@]}"; do
    [[ -x "$bin" ]] || continue
    name=$(basename "$bin")
    work="build/fuzz/corpus/$name"
    seeds="fuzz/corpus/${name#fuzz_}"
    mkdir -p "$work" "$seeds"
    log="build/fuzz/$name.log"
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="build/fuzz/crashes/$name-" "$work" "$seeds" >"$log" 2>&1; then
        runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || echo '?')
        printf 'fuzz: %-16s ok, %s runs in %ss\n' "$name" "$runs" "$seconds"
    else
        printf 'fuzz: %-16s FAILED; log: %s\n' "$name" "$log" >&2
        tail -n 40 "$log" >&2
        failed=1
    fi
done
exit $failed
