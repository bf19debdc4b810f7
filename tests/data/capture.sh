#!/usr/bin/env bash
# Captures the known-answer pcaps in this folder from real Linux traffic.
#
# Everything happens in private network namespaces (mkat-a, mkat-b, mkat-r)
# joined by veth pairs created directly inside them: nothing is attached to the
# machine's own interfaces, no namespace has a default route, and all addresses
# are 10.99.x.x inside the namespaces. MAC addresses are fixed so the tests can
# assert them. Checksum offload is off on every veth, so the captured checksums
# are the ones the kernel computed in software.
#
#   two namespaces:    mkat-a 10.99.1.1 (02:00:00:00:01:01) --- mkat-b 10.99.1.2 (02:00:00:00:01:02)
#   three namespaces:  mkat-a 10.99.1.1 (02:00:00:00:01:01) --- (02:00:00:00:01:fe) 10.99.1.254
#                        mkat-r (ip_forward=1)
#                      10.99.2.254 (02:00:00:00:02:fe) --- mkat-b 10.99.2.2 (02:00:00:00:02:02)
#
# The IPv6 captures use the same namespaces with 2001:db8:99:1::/64 and
# 2001:db8:99:2::/64 in place of 10.99.1.0/24 and 10.99.2.0/24 (hosts ::1, ::2,
# the router ::fe on both links) and link-local addresses from the MACs
# (EUI-64, Linux's default).
#
# Each capture builds its topology afresh (cold ARP and neighbour caches, no
# cached path MTU) and tears it down. Run as root: `sudo tests/data/capture.sh`
# for every file, or `tests/data/capture.sh ipv4` / `ipv6` for one family's
# (the other family's files stay as they are). Idempotent: it removes
# leftovers of an earlier run first, and overwrites the pcaps it makes.
set -euo pipefail

OUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly OUT_DIR
readonly NAMESPACES=(mkat-a mkat-b mkat-r)
readonly PY=/usr/bin/python3 # Debian's python, whatever is first on PATH
WORK_DIR=""
CAPTURE_PID=""
BACKGROUND_PIDS=()

log() { printf 'capture.sh: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

delete_namespaces() {
    local ns
    for ns in "${NAMESPACES[@]}"; do
        if ip netns list | grep -qw "^$ns"; then ip netns delete "$ns"; fi
    done
}

cleanup() {
    local pid
    for pid in "$CAPTURE_PID" "${BACKGROUND_PIDS[@]}"; do
        if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    wait 2>/dev/null || true
    delete_namespaces
    if [[ -n "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_tools() {
    local missing=()
    command -v ethtool >/dev/null || missing+=(ethtool)
    command -v nft >/dev/null || missing+=(nftables)
    command -v ping >/dev/null || missing+=(iputils-ping)
    command -v tcpdump >/dev/null || missing+=(tcpdump)
    command -v editcap >/dev/null || missing+=(wireshark-common)
    command -v tshark >/dev/null || missing+=(tshark)
    command -v radvd >/dev/null || missing+=(radvd)
    if ((${#missing[@]} > 0)); then
        log "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null ||
            { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null; }
    fi
    [[ -x "$PY" ]] || die "$PY is missing"
}

in_ns() {
    local ns=$1
    shift
    ip netns exec "$ns" "$@"
}

# new_namespace NS [ipv6]: without "ipv6", IPv6 is off (no router
# solicitations or MLD reports in the IPv4 captures). With it, interfaces
# made later get IPv6 without duplicate address detection, router
# solicitations or SLAAC, unless a capture turns them on for itself.
new_namespace() {
    local ns=$1 family=${2:-ipv4}
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    if [[ "$family" == ipv6 ]]; then
        in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
            net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 \
            net.ipv6.conf.default.accept_ra=0
    elif [[ -d /proc/sys/net/ipv6 ]]; then
        in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
    # The long-standing default buffer sizes, whatever this kernel's defaults:
    # a 6 MiB maximum receive buffer makes Linux offer window scale 7.
    in_ns "$ns" sysctl -qw net.ipv4.tcp_rmem="4096 131072 6291456" \
        net.ipv4.tcp_wmem="4096 16384 4194304"
}

# veth NS1 DEV1 MAC1 ADDRS1 NS2 DEV2 MAC2 ADDRS2 MTU: each ADDRS a space-separated
# list (IPv6 ones added without duplicate address detection).
veth() {
    local ns1=$1 dev1=$2 mac1=$3 addr1=$4 ns2=$5 dev2=$6 mac2=$7 addr2=$8 mtu=$9
    ip link add "$dev1" netns "$ns1" type veth peer name "$dev2" netns "$ns2"
    local ns dev mac addr
    for side in 1 2; do
        if [[ $side == 1 ]]; then
            ns=$ns1 dev=$dev1 mac=$mac1 addr=$addr1
        else
            ns=$ns2 dev=$dev2 mac=$mac2 addr=$addr2
        fi
        in_ns "$ns" ip link set dev "$dev" address "$mac" mtu "$mtu"
        in_ns "$ns" ethtool -K "$dev" tx off rx off >/dev/null
        in_ns "$ns" ethtool -K "$dev" gso off gro off >/dev/null 2>&1 || true
        local a
        for a in $addr; do
            if [[ "$a" == *:* ]]; then
                in_ns "$ns" ip addr add "$a" dev "$dev" nodad
            else
                in_ns "$ns" ip addr add "$a" dev "$dev"
            fi
        done
        in_ns "$ns" ip link set dev "$dev" up
    done
}

setup_pair() {
    delete_namespaces
    new_namespace mkat-a
    new_namespace mkat-b
    veth mkat-a veth-a 02:00:00:00:01:01 10.99.1.1/24 mkat-b veth-b 02:00:00:00:01:02 10.99.1.2/24 1500
}

# setup_routed MTU_OF_THE_SECOND_LINK
setup_routed() {
    delete_namespaces
    new_namespace mkat-a
    new_namespace mkat-r
    new_namespace mkat-b
    veth mkat-a veth-a 02:00:00:00:01:01 10.99.1.1/24 mkat-r veth-ra 02:00:00:00:01:fe 10.99.1.254/24 1500
    veth mkat-r veth-rb 02:00:00:00:02:fe 10.99.2.254/24 mkat-b veth-b 02:00:00:00:02:02 10.99.2.2/24 "$1"
    in_ns mkat-r sysctl -qw net.ipv4.ip_forward=1
    in_ns mkat-a ip route add 10.99.2.0/24 via 10.99.1.254
    in_ns mkat-b ip route add 10.99.1.0/24 via 10.99.2.254
}

setup_pair6() {
    delete_namespaces
    new_namespace mkat-a ipv6
    new_namespace mkat-b ipv6
    veth mkat-a veth-a 02:00:00:00:01:01 2001:db8:99:1::1/64 \
        mkat-b veth-b 02:00:00:00:01:02 2001:db8:99:1::2/64 1500
    settle_ipv6
}

# A veth that has just come up drops what arrives before its IPv6 is ready
# (the first neighbour solicitation went unanswered): wait a moment.
settle_ipv6() {
    sleep 1
}

# expect_icmpv6_types FILE NAME T...: the file's ICMPv6 types are T..., in order.
expect_icmpv6_types() {
    local file=$1 name=$2
    shift 2
    local got
    got=$(tshark -r "$file" -T fields -e icmpv6.type 2>/dev/null | tr '\n' ' ')
    [[ "$got" == "$* " ]] || die "$name: ICMPv6 types $got, expected $*"
}

# setup_routed6 MTU_OF_THE_SECOND_LINK
setup_routed6() {
    delete_namespaces
    new_namespace mkat-a ipv6
    new_namespace mkat-r ipv6
    new_namespace mkat-b ipv6
    veth mkat-a veth-a 02:00:00:00:01:01 2001:db8:99:1::1/64 \
        mkat-r veth-ra 02:00:00:00:01:fe 2001:db8:99:1::fe/64 1500
    veth mkat-r veth-rb 02:00:00:00:02:fe 2001:db8:99:2::fe/64 \
        mkat-b veth-b 02:00:00:00:02:02 2001:db8:99:2::2/64 "$1"
    in_ns mkat-r sysctl -qw net.ipv6.conf.all.forwarding=1
    in_ns mkat-a ip -6 route add 2001:db8:99:2::/64 via 2001:db8:99:1::fe
    in_ns mkat-b ip -6 route add 2001:db8:99:1::/64 via 2001:db8:99:2::fe
    settle_ipv6
}

# start_capture NS DEV FILE MAX_PACKETS FILTER...: tcpdump in the background,
# returns once it is listening. It stops by itself after MAX_PACKETS or 20 s.
start_capture() {
    local ns=$1 dev=$2 file=$3 count=$4
    shift 4
    timeout 20 ip netns exec "$ns" tcpdump -Z root -n -U --immediate-mode -i "$dev" -c "$count" -w "$file" "$@" \
        2>"$file.log" &
    CAPTURE_PID=$!
    local i
    for ((i = 0; i < 50; i++)); do
        grep -q 'listening on' "$file.log" 2>/dev/null && return 0
        sleep 0.1
    done
    die "tcpdump did not start: $(cat "$file.log")"
}

# finish_capture [SECONDS]: waits up to SECONDS (default 5) for tcpdump to reach
# its packet count, then stops it.
finish_capture() {
    local limit=${1:-5} i
    for ((i = 0; i < limit * 10; i++)); do
        kill -0 "$CAPTURE_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$CAPTURE_PID" 2>/dev/null || true
    wait "$CAPTURE_PID" || true
    CAPTURE_PID=""
}

# wait_listening NS ss-FLAGS PORT: until a socket listens on PORT (at most 5 s).
wait_listening() {
    local ns=$1 flags=$2 port=$3 i
    for ((i = 0; i < 50; i++)); do
        in_ns "$ns" ss "$flags" | grep -q ":$port\b" && return 0
        sleep 0.1
    done
    die "nothing listens on $port in $ns"
}

# background CMD...: runs CMD in the background, killed on exit.
background() {
    "$@" &
    BACKGROUND_PIDS+=($!)
}

wait_background() {
    local pid
    for pid in "${BACKGROUND_PIDS[@]}"; do wait "$pid" || die "background job $pid failed"; done
    BACKGROUND_PIDS=()
}

# publish FILE NAME EXPECTED_PACKETS: copies the capture into tests/data/.
publish() {
    local file=$1 name=$2 expected=$3
    local got
    got=$(tcpdump -r "$file" 2>/dev/null | wc -l)
    [[ "$got" == "$expected" ]] || die "$name: $got packets, expected $expected"
    cp "$file" "$OUT_DIR/$name"
    chmod 0644 "$OUT_DIR/$name"
    log "wrote $name ($got packets, $(stat -c %s "$OUT_DIR/$name") bytes)"
}

capture_arp_icmp_echo() {
    setup_pair
    local f=$WORK_DIR/arp_icmp_echo.pcap
    start_capture mkat-a veth-a "$f" 4 arp or icmp
    in_ns mkat-a ping -n -q -c 1 -w 5 -e 4660 10.99.1.2 >/dev/null
    finish_capture
    publish "$f" arp_icmp_echo.pcap 4
}

capture_udp() {
    setup_pair
    local f=$WORK_DIR/udp.pcap
    background in_ns mkat-b timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.1.2", 7777))
s.settimeout(8)
data, peer = s.recvfrom(2048)
s.sendto(b"hello-udp-reply", peer)
'
    wait_listening mkat-b -lun 7777
    start_capture mkat-a veth-a "$f" 2 udp
    in_ns mkat-a timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.1.1", 40001))
s.settimeout(8)
s.sendto(b"hello-udp", ("10.99.1.2", 7777))
s.recvfrom(2048)
'
    wait_background
    finish_capture
    publish "$f" udp.pcap 2
}

capture_icmp_port_unreachable() {
    setup_pair
    local f=$WORK_DIR/icmp_port_unreachable.pcap
    start_capture mkat-a veth-a "$f" 2 udp or icmp
    in_ns mkat-a timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.1.1", 40002))
s.sendto(b"knock-knock", ("10.99.1.2", 9))
'
    finish_capture
    publish "$f" icmp_port_unreachable.pcap 2
}

capture_icmp_time_exceeded() {
    setup_routed 1500
    local f=$WORK_DIR/icmp_time_exceeded.pcap
    start_capture mkat-a veth-a "$f" 2 icmp
    in_ns mkat-a ping -n -q -c 1 -w 2 -t 1 -e 9029 10.99.2.2 >/dev/null || true
    finish_capture
    publish "$f" icmp_time_exceeded.pcap 2
}

capture_icmp_frag_needed() {
    setup_routed 1280
    local f=$WORK_DIR/icmp_frag_needed.pcap
    start_capture mkat-a veth-a "$f" 2 icmp
    in_ns mkat-a ping -n -q -c 1 -w 2 -M "do" -s 1400 -e 13398 10.99.2.2 >/dev/null || true
    finish_capture
    publish "$f" icmp_frag_needed.pcap 2
}

capture_ipv4_fragments() {
    setup_pair
    local f=$WORK_DIR/ipv4_fragments.pcap
    # 3000 data bytes + 8 ICMP header = 3008 bytes in fragments of 1480, 1480, 48.
    start_capture mkat-a veth-a "$f" 6 icmp
    in_ns mkat-a ping -n -q -c 1 -w 5 -s 3000 -e 17767 10.99.1.2 >/dev/null
    finish_capture
    publish "$f" ipv4_fragments.pcap 6
}

capture_tcp_handshake() {
    setup_pair
    local f=$WORK_DIR/tcp_handshake.pcap
    background in_ns mkat-b timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("10.99.1.2", 8080))
s.listen(1)
s.settimeout(8)
c, _ = s.accept()
c.settimeout(8)
assert c.recv(100) == b"Hello!"
c.sendall(b"Hello back!")
assert c.recv(100) == b""
c.close()
'
    wait_listening mkat-b -ltn 8080
    start_capture mkat-a veth-a "$f" 20 tcp port 8080
    in_ns mkat-a timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("10.99.1.1", 40003))
s.settimeout(8)
s.connect(("10.99.1.2", 8080))
s.sendall(b"Hello!")
assert s.recv(100) == b"Hello back!"
s.shutdown(socket.SHUT_WR)
assert s.recv(100) == b""
s.close()
'
    wait_background
    sleep 0.5 # the last ACK
    finish_capture 0
    local n
    n=$(tcpdump -r "$f" 2>/dev/null | wc -l)
    publish "$f" tcp_handshake.pcap "$n"
}

# SACK needs a loss. An nft rule in mkat-b drops the 5th full-sized data
# segment arriving for port 8081 (numgen counts only packets that reach it);
# tcpdump on veth-b sees the segment before netfilter drops it. Of the whole
# transfer only the handshake, the lost segment, the segment after it, the first
# ACK carrying a SACK block, the retransmission and the ACK that follows it are
# kept, so the file stays small.
capture_tcp_sack() {
    setup_pair
    local full=$WORK_DIR/tcp_sack_full.pcap f=$WORK_DIR/tcp_sack.pcap
    in_ns mkat-b nft -f - <<'EOF'
table ip mkat {
    chain input {
        type filter hook input priority filter; policy accept;
        tcp dport 8081 ip length > 1000 numgen inc mod 1000000 == 4 counter drop
    }
}
EOF
    background in_ns mkat-b timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("10.99.1.2", 8081))
s.listen(1)
s.settimeout(8)
c, _ = s.accept()
c.settimeout(8)
n = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
assert n == 30000, n
c.close()
'
    wait_listening mkat-b -ltn 8081
    start_capture mkat-b veth-b "$full" 200 tcp port 8081
    in_ns mkat-a timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.bind(("10.99.1.1", 40004))
s.settimeout(8)
s.connect(("10.99.1.2", 8081))
s.sendall(bytes(i % 251 for i in range(30000)))
s.shutdown(socket.SHUT_WR)
assert s.recv(100) == b""
s.close()
'
    wait_background
    sleep 0.5
    finish_capture 0
    local dropped
    dropped=$(in_ns mkat-b nft list ruleset | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    [[ "$dropped" == 1 ]] || die "tcp_sack: the rule dropped $dropped packets, expected 1"

    # Frame numbers: the first ACK with a SACK block names the hole [ack, left);
    # the lost segment is the first data frame with seq == ack, the
    # retransmission the second one.
    local fields sack_frame hole lost next retrans after
    fields=(-o tcp.relative_sequence_numbers:FALSE -T fields -E separator=' ')
    read -r sack_frame hole < <(tshark -r "$full" "${fields[@]}" -Y 'tcp.options.sack_le' \
        -e frame.number -e tcp.ack | head -n 1)
    [[ -n "${sack_frame:-}" ]] || die "tcp_sack: no SACK block in the capture"
    mapfile -t lost < <(tshark -r "$full" "${fields[@]}" -Y "tcp.seq == $hole && tcp.len > 0" \
        -e frame.number)
    ((${#lost[@]} >= 2)) || die "tcp_sack: lost segment or its retransmission not found"
    retrans=${lost[1]}
    next=$(tshark -r "$full" "${fields[@]}" -Y "frame.number > ${lost[0]} && tcp.len > 0" \
        -e frame.number | head -n 1)
    after=$(tshark -r "$full" "${fields[@]}" \
        -Y "frame.number > $retrans && tcp.srcport == 8081" -e frame.number | head -n 1)
    log "tcp_sack: lost=${lost[0]} next=$next sack=$sack_frame retransmission=$retrans ack=$after"
    editcap -F pcap -r "$full" "$f" 1-3 "${lost[0]}" "$next" "$sack_frame" "$retrans" "$after"
    publish "$f" tcp_sack.pcap 8
}

# ICMPv6 without extension headers: the type is the byte after the fixed
# header. icmpv6_types T...: a tcpdump filter for those types.
icmpv6_types() {
    local filter="ip6[6] == 58 and (" first=1 t
    for t in "$@"; do
        ((first)) || filter+=" or "
        filter+="ip6[40] == $t"
        first=0
    done
    printf '%s)' "$filter"
}

capture_ndp_icmpv6_echo() {
    setup_pair6
    local f=$WORK_DIR/ndp_icmpv6_echo.pcap
    start_capture mkat-a veth-a "$f" 4 "$(icmpv6_types 135 136 128 129)"
    in_ns mkat-a ping -6 -n -q -c 1 -w 5 -e 4660 2001:db8:99:1::2 >/dev/null
    finish_capture
    expect_icmpv6_types "$f" ndp_icmpv6_echo.pcap 135 136 128 129
    publish "$f" ndp_icmpv6_echo.pcap 4
}

# A host's interface coming up on a link with a router: duplicate address
# detection for its link-local address, an MLDv2 report (hop-by-hop options),
# a router solicitation, radvd's advertisement (prefix, MTU, source link-layer
# address) and detection for the address SLAAC formed from the prefix.
# Captured on the router's side, which sees everything from the first frame.
capture_ipv6_link_up() {
    delete_namespaces
    new_namespace mkat-a ipv6
    new_namespace mkat-r ipv6
    local full=$WORK_DIR/ipv6_link_up_full.pcap f=$WORK_DIR/ipv6_link_up.pcap
    ip link add veth-a netns mkat-a type veth peer name veth-ra netns mkat-r
    in_ns mkat-a ip link set dev veth-a address 02:00:00:00:01:01
    in_ns mkat-r ip link set dev veth-ra address 02:00:00:00:01:fe
    local ns dev
    for ns in mkat-a mkat-r; do
        dev=veth-a
        [[ $ns == mkat-r ]] && dev=veth-ra
        in_ns "$ns" ethtool -K "$dev" tx off rx off >/dev/null
        in_ns "$ns" ethtool -K "$dev" gso off gro off >/dev/null 2>&1 || true
    done
    in_ns mkat-a sysctl -qw net.ipv6.conf.veth-a.accept_dad=1 net.ipv6.conf.veth-a.accept_ra=1 \
        net.ipv6.conf.veth-a.router_solicitations=1 net.ipv6.conf.veth-a.autoconf=1
    in_ns mkat-r sysctl -qw net.ipv6.conf.all.forwarding=1
    in_ns mkat-r ip addr add 2001:db8:99:1::fe/64 dev veth-ra nodad
    in_ns mkat-r ip link set dev veth-ra up
    cat >"$WORK_DIR/radvd.conf" <<'RADVD'
interface veth-ra {
    AdvSendAdvert on;
    MinRtrAdvInterval 30;
    MaxRtrAdvInterval 100;
    AdvLinkMTU 1480;
    AdvDefaultLifetime 1800;
    prefix 2001:db8:99:1::/64 {
        AdvOnLink on;
        AdvAutonomous on;
        AdvValidLifetime 86400;
        AdvPreferredLifetime 14400;
    };
};
RADVD
    background in_ns mkat-r timeout 15 radvd --nodaemon -C "$WORK_DIR/radvd.conf" \
        -p "$WORK_DIR/radvd.pid" -m stderr
    sleep 1
    start_capture mkat-r veth-ra "$full" 40 ip6
    in_ns mkat-a ip link set dev veth-a up
    # The address SLAAC forms is usable once its detection is over.
    local i addrs
    for ((i = 0; i < 100; i++)); do
        addrs=$(in_ns mkat-a ip -6 addr show dev veth-a)
        if grep -q '2001:db8:99:1:0:ff:fe00:101/64' <<<"$addrs" && ! grep -q tentative <<<"$addrs"; then
            break
        fi
        sleep 0.1
    done
    sleep 0.5
    finish_capture 0
    kill -TERM "${BACKGROUND_PIDS[@]}" 2>/dev/null || true
    wait "${BACKGROUND_PIDS[@]}" 2>/dev/null || true
    BACKGROUND_PIDS=()
    local fields=(-T fields -E separator=' ' -e frame.number)
    local dad_ll mld rs ra dad_global
    dad_ll=$(tshark -r "$full" "${fields[@]}" \
        -Y 'icmpv6.type == 135 && ipv6.src == :: && icmpv6.nd.ns.target_address == fe80::ff:fe00:101' |
        head -n 1)
    mld=$(tshark -r "$full" "${fields[@]}" -Y 'icmpv6.type == 143' | head -n 1)
    rs=$(tshark -r "$full" "${fields[@]}" -Y 'icmpv6.type == 133' | head -n 1)
    ra=$(tshark -r "$full" "${fields[@]}" -Y "icmpv6.type == 134 && frame.number > ${rs:-0}" |
        head -n 1)
    dad_global=$(tshark -r "$full" "${fields[@]}" \
        -Y 'icmpv6.type == 135 && ipv6.src == :: && icmpv6.nd.ns.target_address == 2001:db8:99:1:0:ff:fe00:101' |
        head -n 1)
    log "ipv6_link_up: dad=$dad_ll mld=$mld rs=$rs ra=$ra dad_global=$dad_global"
    if [[ -z "$dad_ll" || -z "$mld" || -z "$rs" || -z "$ra" || -z "$dad_global" ]]; then
        tshark -r "$full" >&2
        die "ipv6_link_up: a frame is missing"
    fi
    local frames
    frames=$(printf '%s\n' "$dad_ll" "$mld" "$rs" "$ra" "$dad_global" | sort -n | tr '\n' ' ')
    # shellcheck disable=SC2086 # one argument per frame number
    editcap -F pcap -r "$full" "$f" $frames
    publish "$f" ipv6_link_up.pcap 5
}

capture_udp6() {
    setup_pair6
    local f=$WORK_DIR/udp6.pcap
    background in_ns mkat-b timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("2001:db8:99:1::2", 7777))
s.settimeout(8)
data, peer = s.recvfrom(2048)
s.sendto(b"hello-udp6-reply", peer)
'
    wait_listening mkat-b -lun 7777
    start_capture mkat-a veth-a "$f" 2 udp
    in_ns mkat-a timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("2001:db8:99:1::1", 40001))
s.settimeout(8)
s.sendto(b"hello-udp6", ("2001:db8:99:1::2", 7777))
s.recvfrom(2048)
'
    wait_background
    finish_capture
    publish "$f" udp6.pcap 2
}

capture_icmpv6_port_unreachable() {
    setup_pair6
    local f=$WORK_DIR/icmpv6_port_unreachable.pcap
    start_capture mkat-a veth-a "$f" 2 "udp or ($(icmpv6_types 1))"
    in_ns mkat-a timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("2001:db8:99:1::1", 40002))
s.sendto(b"knock-knock", ("2001:db8:99:1::2", 9))
'
    finish_capture
    publish "$f" icmpv6_port_unreachable.pcap 2
}

capture_icmpv6_time_exceeded() {
    setup_routed6 1500
    local f=$WORK_DIR/icmpv6_time_exceeded.pcap
    start_capture mkat-a veth-a "$f" 2 "$(icmpv6_types 128 3)"
    in_ns mkat-a ping -6 -n -q -c 1 -w 2 -t 1 -e 9029 2001:db8:99:2::2 >/dev/null || true
    finish_capture
    publish "$f" icmpv6_time_exceeded.pcap 2
}

capture_icmpv6_packet_too_big() {
    setup_routed6 1280
    local f=$WORK_DIR/icmpv6_packet_too_big.pcap
    start_capture mkat-a veth-a "$f" 2 "$(icmpv6_types 128 2)"
    in_ns mkat-a ping -6 -n -q -c 1 -w 2 -M "do" -s 1400 -e 13398 2001:db8:99:2::2 >/dev/null || true
    finish_capture
    publish "$f" icmpv6_packet_too_big.pcap 2
}

capture_ipv6_fragments() {
    setup_pair6
    local f=$WORK_DIR/ipv6_fragments.pcap
    # 3000 data bytes + 8 ICMPv6 header = 3008 bytes, in fragments of at most
    # 1500 - 40 - 8 = 1452 bytes rounded down to eight: 1448, 1448, 112.
    start_capture mkat-a veth-a "$f" 6 "ip6[6] == 44"
    in_ns mkat-a ping -6 -n -q -c 1 -w 5 -s 3000 -e 17767 2001:db8:99:1::2 >/dev/null
    finish_capture
    publish "$f" ipv6_fragments.pcap 6
}

capture_tcp6_handshake() {
    setup_pair6
    local f=$WORK_DIR/tcp6_handshake.pcap
    background in_ns mkat-b timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(("2001:db8:99:1::2", 8080))
s.listen(1)
s.settimeout(8)
c, _ = s.accept()
c.settimeout(8)
assert c.recv(100) == b"Hello!"
c.sendall(b"Hello back!")
assert c.recv(100) == b""
c.close()
'
    wait_listening mkat-b -ltn 8080
    start_capture mkat-a veth-a "$f" 20 tcp port 8080
    in_ns mkat-a timeout 10 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.bind(("2001:db8:99:1::1", 40003))
s.settimeout(8)
s.connect(("2001:db8:99:1::2", 8080))
s.sendall(b"Hello!")
assert s.recv(100) == b"Hello back!"
s.shutdown(socket.SHUT_WR)
assert s.recv(100) == b""
s.close()
'
    wait_background
    sleep 0.5 # the last ACK
    finish_capture 0
    local n
    n=$(tcpdump -r "$f" 2>/dev/null | wc -l)
    publish "$f" tcp6_handshake.pcap "$n"
}

capture_ipv4_files() {
    capture_arp_icmp_echo
    capture_udp
    capture_icmp_port_unreachable
    capture_icmp_time_exceeded
    capture_icmp_frag_needed
    capture_ipv4_fragments
    capture_tcp_handshake
    capture_tcp_sack
}

capture_ipv6_files() {
    capture_ndp_icmpv6_echo
    capture_ipv6_link_up
    capture_udp6
    capture_icmpv6_port_unreachable
    capture_icmpv6_time_exceeded
    capture_icmpv6_packet_too_big
    capture_ipv6_fragments
    capture_tcp6_handshake
}

main() {
    [[ $EUID == 0 ]] || die "run as root (network namespaces)"
    ensure_tools
    WORK_DIR=$(mktemp -d /tmp/minternet-capture.XXXXXX)
    chmod 0755 "$WORK_DIR"
    case "${1:-all}" in
        all)
            capture_ipv4_files
            capture_ipv6_files
            ;;
        ipv4) capture_ipv4_files ;;
        ipv6) capture_ipv6_files ;;
        *) die "usage: capture.sh [all|ipv4|ipv6]" ;;
    esac
    log "versions: kernel $(uname -r); $(tcpdump --version 2>&1 | head -n 1);" \
        "$(tshark --version | head -n 1)"
}

main "$@"
