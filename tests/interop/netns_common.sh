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
