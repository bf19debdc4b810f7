#!/usr/bin/env bash
# A private network namespace with a TAP device for `minternet live`, and its
# removal. Nothing in it reaches the machine's own interfaces: the namespace
# holds only its loopback and the TAP, and has no route beyond the TAP's
# subnet.
#
#   scripts/live-netns.sh up   [NAMESPACE] [TAP] [KERNEL_CIDR] [GATEWAY] [KERNEL_CIDR6]
#   scripts/live-netns.sh down [NAMESPACE]
#
# Defaults: namespace mnet-live, TAP mtap0, the kernel's side 10.0.0.1/24, no
# gateway. With GATEWAY the namespace's default route goes through the TAP to
# it (hybrid mode: the kernel as a host of a simulated internet, whose router
# is GATEWAY); the namespace still has no way to the machine's interfaces.
# With KERNEL_CIDR6 (2001:db8:1::1/64) the TAP speaks IPv6 too, with that
# address (no duplicate address detection, no router solicitations); IPv6
# stays off everywhere else in the namespace. GATEWAY may be "" to skip it.
# Then run minternet inside the namespace, on the TAP, with another address
# of the subnet, and talk to it from the kernel side:
#
#   ip netns exec mnet-live minternet live --tap mtap0 --address 10.0.0.2/24 \
#       --gateway 10.0.0.1 --serve http:80=. &
#   ip netns exec mnet-live curl http://10.0.0.2/
#   scripts/live-netns.sh down
set -euo pipefail

cmd=${1:-}
ns=${2:-mnet-live}
tap=${3:-mtap0}
cidr=${4:-10.0.0.1/24}
gateway=${5:-}
cidr6=${6:-}

die() {
    echo "live-netns.sh: $*" >&2
    exit 1
}

[[ $EUID == 0 ]] || die "run as root (network namespaces and TAP devices need it)"
[[ $ns =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || die "namespace '$ns': letters, digits, '_', '.', '-'"
[[ $tap =~ ^[A-Za-z0-9_.-]{1,15}$ ]] || die "TAP '$tap': at most 15 letters, digits, '_', '.', '-'"

case $cmd in
up)
    if ip netns list | grep -qw "^$ns"; then die "namespace $ns exists; '$0 down $ns' first"; fi
    ip netns add "$ns"
    trap 'ip netns delete "$ns" 2>/dev/null || true' ERR
    ip -n "$ns" link set lo up
    # The TAP is made inside the namespace, so it never exists beside the
    # machine's interfaces; IPv6 off keeps router solicitations out of captures.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
    ip netns exec "$ns" ip tuntap add dev "$tap" mode tap
    ip -n "$ns" addr add "$cidr" dev "$tap"
    ip -n "$ns" link set "$tap" up
    [[ -z $gateway ]] || ip -n "$ns" route add default via "$gateway" dev "$tap"
    if [[ -n $cidr6 ]]; then
        ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=0" \
            "net.ipv6.conf.$tap.router_solicitations=0" "net.ipv6.conf.$tap.accept_ra=0"
        ip -n "$ns" -6 addr add "$cidr6" dev "$tap" nodad
    fi
    echo "live-netns.sh: namespace $ns with $tap at $cidr${cidr6:+ and $cidr6}${gateway:+, default route via $gateway}"
    ;;
down)
    if ip netns list | grep -qw "^$ns"; then
        # Anything still running in it (a minternet, a server) goes first.
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null || true; done
        sleep 0.2
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns delete "$ns"
        echo "live-netns.sh: removed $ns"
    fi
    ;;
*)
    die "usage: $0 up [NAMESPACE] [TAP] [KERNEL_CIDR] [GATEWAY] [KERNEL_CIDR6] | down [NAMESPACE]"
    ;;
esac
