#!/usr/bin/env bash
# Installs, through apt, every Debian package minternet needs to build, test,
# benchmark and fuzz. Idempotent: when everything is present it only asks dpkg
# and returns in well under a second.
set -euo pipefail

packages=(
    # toolchain
    gcc g++ cmake ninja-build make pkg-config clang-14 libclang-rt-14-dev clang-format
    # libraries
    libfmt-dev libspdlog-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libssl-dev
    libhttp-parser-dev
    # tests and benchmarks
    libgtest-dev libgmock-dev librapidcheck-dev libbenchmark-dev
    # packet tools used by tests (tshark validates our captures)
    tshark tcpdump iproute2
    # script(1) gives the progress-line test a terminal (essential, named anyway)
    bsdutils
    # the kernel-side tools the live tests talk to our stack with
    curl iputils-ping netcat-openbsd python3
    # DNS software our DNS is tested against: clients, servers, a load generator
    bind9-dnsutils knot-dnsutils nsd knot dnsperf
    # the HTML report's test opens it in a headless browser
    chromium chromium-driver python3-selenium
)
# The HTML report's script is bundled at build time with npm packages
# (web/report): Node.js and npm from Debian, unless the machine has them.
if ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
    exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages and not root; run as root or install: ${missing[*]}" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer it up front.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
# NSD and Knot are installed to be started by tests on loopback ports, never as
# system services: keep their packages from starting them (policy-rc.d, as in
# Debian's container images), unless the machine already has such a policy.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod +x "$policy"
    own_policy=true
fi
trap 'if $own_policy; then rm -f "$policy"; fi' EXIT
if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    apt-get update
    apt-get install -y --no-install-recommends "${missing[@]}"
fi
