#!/usr/bin/env bash
# The lwIP side of the live benchmark: builds bench/lwip/lwip_tap.c against
# Debian's lwIP (liblwip-dev, 2.1.3) into build/lwip/lwip_tap when the source
# or this script is newer than the binary. With arguments it then runs the
# harness with them (bench/lwip/README.md lists them); without, it prints the
# binary's path, which is how scripts/bench-live.sh uses it:
#
#   scripts/bench-lwip.sh                      # build; prints build/lwip/lwip_tap
#   scripts/bench-lwip.sh --tap T --address 10.0.3.2/24 --serve-discard 9
#
# lwIP is installed here, not by install-deps.sh: only this benchmark needs it.
# Needs Debian 12 and root for apt when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

source=bench/lwip/lwip_tap.c
build_dir=build/lwip
binary=$build_dir/lwip_tap

die() {
    echo "bench-lwip: $*" >&2
    exit 1
}

packages=(liblwip-dev pkg-config gcc)
source scripts/ensure-packages.sh
ensure_packages bench-lwip "${packages[@]}"

pkg-config --exists lwip || die "pkg-config does not know lwip (liblwip-dev ships lwip.pc)"

if [[ ! -x "$binary" || "$source" -nt "$binary" || scripts/bench-lwip.sh -nt "$binary" ]]; then
    read -r -a cflags <<<"$(pkg-config --cflags lwip)"
    read -r -a libs <<<"$(pkg-config --libs lwip)"
    mkdir -p "$build_dir"
    echo "bench-lwip: compiling $source" >&2
    gcc -std=c11 -O2 -Wall -Wextra -Werror "${cflags[@]}" -o "$binary.tmp" "$source" "${libs[@]}" ||
        die "compiling $source failed"
    mv "$binary.tmp" "$binary"
fi

if (($# == 0)); then
    echo "$binary"
    exit 0
fi
exec "$binary" "$@"
