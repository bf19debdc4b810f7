#!/usr/bin/env bash
# Everything `make test` runs, in order. Fails on the first failure.
#   1. release build (g++): every test
#   2. asan build (g++, AddressSanitizer + UBSan): every test but those
#      labelled long (the impaired 100 MB live transfers, which wait on an
#      emulated path and run in the release stage)
#   3. fuzz build (clang 14 + libFuzzer, ASan + UBSan): the program and every
#      fuzz target, which proves clang builds all of src/, then each fuzz
#      target briefly. The tests are not built again under clang: they run
#      in the g++ release and sanitizer stages (this keeps CI near 20 min).
# The sanitizer builds compile at -O1 with line tables only (-g1): half the
# build time of -O2 -g, and ASan's reports still name file and line.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it starts, in seconds since the start, so a slow CI
# run shows which stage to look at.
started=$SECONDS
step() { printf '\n==== [%4ds] %s\n' "$((SECONDS - started))" "$*"; }
jobs=$(nproc)

step "format check"
./scripts/check-format.sh

for preset in release asan; do
    step "$preset: configure and build"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset" -j "$jobs"
    step "$preset: tests"
    if [[ $preset == asan ]]; then
        ctest --preset "$preset" -j "$jobs" -LE long
    else
        ctest --preset "$preset" -j "$jobs"
    fi
done

step "fuzz (clang): configure and build"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs" --target minternet fuzz_targets
step "fuzz (clang): short fuzz runs"
./scripts/fuzz.sh "${FUZZ_SHORT_SECONDS:-2}"

step "all tests passed"
