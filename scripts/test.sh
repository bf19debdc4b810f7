#!/usr/bin/env bash
# Everything `make test` runs, in order. Fails on the first failure.
#   1. the format check
#   2. release build (g++ 12): every test
#   3. sanitizer build (clang 14: AddressSanitizer + UndefinedBehaviorSanitizer,
#      with libFuzzer's instrumentation — the `fuzz` preset): the program,
#      every test and every fuzz target; then every test but those labelled
#      long (the impaired live transfer, which waits on an emulated path and
#      runs in the release stage); then each fuzz target briefly.
# Two compilers, each building everything once: one sanitizer build serves
# the tests and the fuzz targets (a separate g++ sanitizer build cost CI ten
# minutes). It compiles at -O1 with line tables only (-g1): half the build
# time of -O2 -g, and the sanitizers' reports still name file and line.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step says when it starts, in seconds since the start, so a slow CI
# run shows which stage to look at.
started=$SECONDS
step() { printf '\n==== [%4ds] %s\n' "$((SECONDS - started))" "$*"; }
jobs=$(nproc)

step "format check"
./scripts/check-format.sh

step "release (g++): configure and build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"
step "release (g++): tests"
ctest --preset release -j "$jobs"

step "sanitizers (clang, ASan + UBSan): configure and build, fuzz targets included"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$jobs"
step "sanitizers (clang, ASan + UBSan): tests"
ctest --preset fuzz -j "$jobs" -LE long
step "fuzz: short runs"
./scripts/fuzz.sh "${FUZZ_SHORT_SECONDS:-2}"

step "all tests passed"
