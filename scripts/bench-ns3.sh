#!/usr/bin/env bash
# The ns-3 side of the dumbbell comparison: builds bench/ns3/dumbbell.cpp
# against Debian's ns-3 and runs it, printing its JSON on stdout. Every argument
# goes to the harness (bench/ns3/README.md lists them), e.g.
#
#   scripts/bench-ns3.sh --flows 16 --duration 10
#
# ns-3 is installed here, not by install-deps.sh: only this benchmark needs it.
# Needs Debian 12 (ns-3 3.37) and root for apt when something is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

source=bench/ns3/dumbbell.cpp
build_dir=build/ns3
binary=$build_dir/dumbbell

die() {
    echo "bench-ns3: $*" >&2
    exit 1
}

# libns3-dev's pkg-config files name the development symlinks of GSL and
# SQLite (libgsl.so, libsqlite3.so) by absolute path without depending on the
# packages that ship them, so those are installed too.
packages=(libns3-dev libgsl-dev libsqlite3-dev pkg-config g++)
source scripts/ensure-packages.sh
ensure_packages bench-ns3 "${packages[@]}"

modules=(ns3-core ns3-network ns3-internet ns3-point-to-point ns3-applications)
pkg-config --exists "${modules[@]}" ||
    die "pkg-config does not know ${modules[*]} (found: $(pkg-config --list-all | awk '/^ns3/ {printf "%s ", $1}'))"

if [[ ! -x "$binary" || "$source" -nt "$binary" || scripts/bench-ns3.sh -nt "$binary" ]]; then
    # Debian's .pc files carry include paths from a CMake list, one of them
    # "/usr;" with the separator left in; the headers themselves are in
    # /usr/include/ns3, on the default search path. So only -I options naming
    # a real directory other than /usr itself are kept.
    cflags=()
    for flag in $(pkg-config --cflags "${modules[@]}"); do
        if [[ "$flag" == -I* ]]; then
            dir=${flag#-I}
            [[ -d "$dir" && "$dir" != /usr && "$dir" != /usr/include ]] || continue
        fi
        cflags+=("$flag")
    done
    read -r -a libs <<<"$(pkg-config --libs "${modules[@]}")"
    mkdir -p "$build_dir"
    echo "bench-ns3: compiling $source" >&2
    # C++17: ns-3 3.37's headers do not compile as C++20 (constructors spelt
    # Singleton<T>(), which C++20 forbids).
    g++ -std=c++17 -O2 -Wall -Wextra "${cflags[@]}" -o "$binary.tmp" "$source" "${libs[@]}" ||
        die "compiling $source failed"
    mv "$binary.tmp" "$binary"
fi

# NS_LOG would turn on ns-3's logging (compiled into Debian's build) and make the
# timing meaningless; run the binary directly to debug with it.
exec env -u NS_LOG "$binary" "$@"
