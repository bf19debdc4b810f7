#!/usr/bin/env bash
# `minternet topology`: mistakes exit with status 2 and name the option (or list
# the generators) on stderr, CLI11's own errors included; what it prints is a
# topology that `minternet run` loads and runs.
#
#   topology_command_test.sh MINTERNET_BINARY
set -uo pipefail

bin=${1:?usage: topology_command_test.sh MINTERNET_BINARY}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0

# expect_error "TEXT stderr must hold" ARGS…: exit status 2, nothing on stdout.
expect_error() {
    local want=$1
    shift
    "$bin" topology "$@" >"$out/stdout" 2>"$out/stderr"
    local status=$?
    if ((status != 2)); then
        echo "FAIL topology $*: exit status $status, want 2" >&2
        failed=1
    elif ! grep -qF -- "$want" "$out/stderr"; then
        echo "FAIL topology $*: stderr does not say '$want':" >&2
        cat "$out/stderr" >&2
        failed=1
    elif [[ -s "$out/stdout" ]]; then
        echo "FAIL topology $*: wrote to stdout on an error" >&2
        failed=1
    fi
}

expect_error "--flows: -3 is not a whole number from 1 to 100000" dumbbell --flows -3
expect_error "--flows: -3 is not a whole number from 1 to 100000" dumbbell --flows=-3
expect_error "--hosts-per-router: x is not a whole number" tree --hosts-per-router x
expect_error "--bottleneck-rate: 'fast' is not a bandwidth" dumbbell --bottleneck-rate fast
expect_error "unknown generator 'ring'; the generators are dumbbell, star, tree, chain" ring
expect_error "the generators are" ""
expect_error "which generator?"
expect_error "the generator comes first" --flows 3 dumbbell
# CLI11's own errors: an unknown option, a missing value.
expect_error "--flow" dumbbell --flow 3
expect_error "--flows" dumbbell --flows

# Help is not an error.
for args in "--help" "tree --help"; do
    # shellcheck disable=SC2086
    if ! "$bin" topology $args >"$out/help" 2>&1 || ! grep -q "routers\|tree" "$out/help"; then
        echo "FAIL topology $args: no help" >&2
        failed=1
    fi
done

# What it prints runs: a chain with traceroute, a dumbbell with ping.
run() {
    local file=$1
    shift
    "$bin" topology "$@" >"$out/$file"
    local status=$?
    if ((status != 0)); then
        echo "FAIL topology $*: exit status $status" >&2
        failed=1
        return
    fi
    if ! timeout 120 "$bin" run "$out/$file" --out "$out/run-$file" -q >"$out/run.log" 2>&1; then
        echo "FAIL minternet run of topology $*:" >&2
        cat "$out/run.log" >&2
        failed=1
    fi
}
run chain.yaml chain --routers 4
run dumbbell.yaml dumbbell --flows 2 --app ping --duration 2s
run tree.yaml tree --routers 3 --hosts-per-router 2 --routers-per-core 2 --app ping --duration 1s

# The same options give the same bytes.
"$bin" topology tree --routers 20 --hosts-per-router 20 --flows 50 --seed 9 >"$out/a.yaml"
"$bin" topology tree --seed 9 --flows 50 --hosts-per-router 20 --routers 20 >"$out/b.yaml"
if ! cmp -s "$out/a.yaml" "$out/b.yaml"; then
    echo "FAIL the same options in another order give other bytes" >&2
    failed=1
fi

exit $failed
