# Shared by the interop scripts that make network namespaces (source it after
# setting `test_name`; `ns` names the namespace once it is chosen).
#
# Root is needed. Without it a script fails when CI=true (CI must run it) and
# otherwise exits 77, which ctest reports as skipped, by name.

failed=0

require_root() {
    [[ $EUID == 0 ]] && return 0
    if [[ ${CI:-} == true ]]; then
        echo "$test_name: needs root and network namespaces, and CI must run it" >&2
        exit 1
    fi
    echo "$test_name: SKIPPED: needs root (network namespaces and a TAP)" >&2
    exit 77
}

require_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$test_name: $tool is not installed" >&2; exit 1; }
    done
}

in_ns() { ip netns exec "$ns" "$@"; }

# wait_for_ping ADDRESS: until it answers from inside the namespace (a fresh
# TAP may miss the first ARP request), ten seconds at most.
wait_for_ping() {
    local _
    for _ in $(seq 1 50); do
        in_ns ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    return 1
}
fail() {
    echo "$test_name: FAIL: $*" >&2
    failed=1
}
ok() { echo "$test_name: ok: $*"; }

# judge_what_we_sent PCAP COUNTER...: without offloads tshark reads the
# capture of the TAP and must find no malformed frame and no bad checksum.
# With offloads the capture holds the kernel's coalesced segments and
# partial checksums as it hands them over, so tshark cannot judge it; the
# kernel's own counters (nstat COUNTER...) must show no error instead.
judge_what_we_sent() {
    local pcap=$1 bad
    shift
    if [[ ${MINTERNET_LIVE_OFFLOAD:-on} == off ]]; then
        if "$here/../../scripts/pcap-check.sh" "$pcap"; then ok "tshark: no malformed frames, no bad checksums"; else fail "tshark on the TAP capture"; fi
    else
        bad=$(in_ns nstat -az "$@" | awk 'NR > 1 && $1 != "#kernel" { s += $2 } END { print s + 0 }')
        if [[ $bad == 0 ]]; then ok "nstat: no checksum errors, no bad segments in the kernel"; else fail "nstat counted $bad checksum errors or bad segments"; fi
    fi
}
