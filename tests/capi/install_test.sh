#!/usr/bin/env bash
# The installed package, as a user meets it: `cmake --install` into a fresh
# prefix; examples/c built against it with find_package (shared and static)
# and with pkg-config; then, as root in a network namespace of its own, the
# echo server answers the kernel's nc and http_get fetches a file from a
# kernel HTTP server, both through a TAP.
#
#   install_test.sh BUILD_DIR
#
# Without root the build half runs and the script exits 77 (a named skip);
# with CI=true a missing root is a failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$(cd "$1" && pwd)
test_name=capi.installed_package
work=$(mktemp -d)
ns=mnet-capi-$$
tap=mtap0
cleanup() {
    if ip netns list 2>/dev/null | grep -qw "^$ns"; then
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns delete "$ns" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "$test_name: FAIL: $*" >&2; exit 1; }

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
[[ -f $prefix/include/minternet/minternet.h ]] || fail "the header is not installed"
libdir=$(dirname "$(find "$prefix" -name 'libminternet.so' | head -1)")
[[ -d $libdir ]] || fail "libminternet.so is not installed"

# find_package, shared and static.
cmake -S "$root/examples/c" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_BUILD_RPATH="$libdir" >/dev/null
cmake --build "$work/cmake" >/dev/null
# pkg-config, shared.
export PKG_CONFIG_PATH=$libdir/pkgconfig
[[ $(pkg-config --modversion minternet) == 0.1.0 ]] || fail "pkg-config does not see minternet 0.1.0"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror -o "$work/http_get_pc" "$root/examples/c/http_get.c" \
    $(pkg-config --cflags --libs minternet) -Wl,-rpath,"$libdir"
echo "$test_name: ok: built with find_package (shared, static) and pkg-config"
ldd "$work/cmake/echo_server_static" | grep -q libminternet && fail "the static build needs libminternet.so"

if [[ $EUID != 0 ]]; then
    [[ ${CI:-} == true ]] && fail "needs root and network namespaces, and CI must run it"
    echo "$test_name: SKIPPED the kernel half: needs root" >&2
    exit 77
fi
for tool in nc python3 ip; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done

ip netns add "$ns"
ip -n "$ns" link set lo up
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip netns exec "$ns" ip tuntap add dev "$tap" mode tap
ip -n "$ns" addr add 10.0.0.1/24 dev "$tap"
ip -n "$ns" link set "$tap" up

# 1. The echo server (the static build) answers the kernel's nc.
ip netns exec "$ns" timeout 60 "$work/cmake/echo_server_static" "$tap" 10.0.0.2/24 7 1 \
    >"$work/echo.log" 2>&1 &
echo_pid=$!
got=""
for _ in $(seq 1 20); do  # a fresh TAP may miss the first ARP request: retry
    got=$(printf 'Hello, minternet!' | ip netns exec "$ns" timeout 5 nc -N -w 3 10.0.0.2 7 || true)
    [[ -n $got ]] && break
    sleep 0.3
done
[[ $got == "Hello, minternet!" ]] || fail "echo: got '$got' ($(cat "$work/echo.log"))"
wait "$echo_pid" || fail "echo_server failed: $(cat "$work/echo.log")"
echo "$test_name: ok: echo_server echoed the kernel's nc"

# 2. http_get (pkg-config build) fetches a file from the kernel's HTTP server.
mkdir "$work/site"
head -c 300000 /dev/urandom | base64 >"$work/site/file.txt"
ip netns exec "$ns" timeout 60 python3 -m http.server 8000 --bind 10.0.0.1 \
    --directory "$work/site" >/dev/null 2>&1 &
disown  # the cleanup kills it; no job-control message then
for _ in $(seq 1 50); do
    ip netns exec "$ns" python3 -c 'import socket; socket.create_connection(("10.0.0.1", 8000), 1)' \
        2>/dev/null && break
    sleep 0.1
done
ip netns exec "$ns" timeout 60 "$work/http_get_pc" "$tap" 10.0.0.2/24 10.0.0.1 8000 /file.txt \
    >"$work/got.txt" || fail "http_get failed"
cmp -s "$work/got.txt" "$work/site/file.txt" || fail "http_get: the body differs from the file"
echo "$test_name: ok: http_get fetched $(stat -c %s "$work/got.txt") bytes intact"
