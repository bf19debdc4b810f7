#!/usr/bin/env bash
# minternet on a real TAP over IPv6, the Linux kernel as its peer, in a
# private network namespace this test makes and removes: nothing reaches the
# machine's own interfaces. Our host is dual-stack (--address given twice);
# the kernel's side of the TAP has 2001:db8:1::1, ours 2001:db8:1::2.
#
#   live6_test.sh MINTERNET_BINARY [plain|impaired [MB]]
#
# plain:    neighbour discovery with the kernel; kernel -> our stack: ping -6
#           -c 20 with no loss; curl -6 of 1 KB, 10 MB and 100 MB, sha256
#           equal; nc -6 echo; dig AAAA over UDP and TCP; IPv4 beside it on
#           the same interface. Our stack -> kernel: our client fetches 100 MB
#           from python3 -m http.server on an IPv6 address, sha256 equal, and
#           --send puts 20 MB into a kernel nc -6. Duplicate address
#           detection sees the kernel already holding an address we are
#           given. tshark finds no malformed frame and no bad checksum in a
#           capture of the TAP without offloads; with them the kernel's
#           counters show no checksum error.
# impaired: MB megabytes (default 100) both ways over IPv6 under
#           --impair loss=3%,reorder=10%,delay=10ms,duplicate=1%.
#
# Needs root (see netns_common.sh for what happens without it).
set -uo pipefail

bin=${1:?usage: live6_test.sh MINTERNET_BINARY [plain|impaired [MB]]}
mode=${2:-plain}
impaired_mb=${3:-100}
[[ $impaired_mb =~ ^[1-9][0-9]{0,3}$ ]] || { echo "live6_test: MB must be 1 to 9999, not '$impaired_mb'" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
netns_script="$here/../../scripts/live-netns.sh"

test_name=live6_test
source "$here/netns_common.sh"
require_root
require_tools ip curl ping nc dig tcpdump tshark nstat ss
[[ -x /usr/bin/python3 ]] || { echo "live6_test: /usr/bin/python3 is not installed" >&2; exit 1; }

ns="mnet-live6-$$"
tap="m6tap$$"
tap=${tap:0:13}
client_tap="${tap}c"
work=$(mktemp -d /tmp/minternet-live6.XXXXXX)
ours=2001:db8:1::2
kernel=2001:db8:1::1
pids=()

cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.3
    "$netns_script" down "$ns" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }

"$netns_script" up "$ns" "$tap" 10.0.0.1/24 "" "$kernel/64" >/dev/null || exit 1

mkdir -p "$work/www" "$work/kernel-www"
head -c 1024 /dev/urandom >"$work/www/1k.bin"
head -c 10M /dev/urandom >"$work/www/10m.bin"
big_mb=100
[[ $mode == impaired ]] && big_mb=$impaired_mb
head -c "${big_mb}M" /dev/urandom >"$work/www/big.bin"
cp "$work/www/big.bin" "$work/kernel-www/big.bin"

impair=()
[[ $mode == impaired ]] && impair=(--impair loss=3%,reorder=10%,delay=10ms,duplicate=1%)
impair+=(--offload "${MINTERNET_LIVE_OFFLOAD:-on}")

# Our host, dual-stack, bounded in time: it stops by itself after 10 minutes.
ip netns exec "$ns" timeout 600 "$bin" live --tap "$tap" --address 10.0.0.2/24 \
    --address "$ours/64" --serve "http:80=$work/www" --serve echo:7 \
    --serve "dns:53=$here/../data/dns/example.zone" "${impair[@]}" >"$work/live.log" 2>&1 &
pids+=($!)

# ping -6 until it answers: our address is tentative for a second (DAD).
answered=0
for _ in $(seq 1 50); do
    if in_ns ping -6 -c 1 -W 1 "$ours" >/dev/null 2>&1; then answered=1; break; fi
    sleep 0.2
done
((answered)) || { fail "our host never answered ping -6"; cat "$work/live.log" >&2; exit 1; }

get6() {
    local path=$1 got
    got=$(in_ns timeout 300 curl -6 -sS --fail "http://[$ours]$path" -o - | sha256sum | cut -d' ' -f1)
    if [[ $got == "$(sha "$work/www$path")" ]]; then ok "curl -6 GET $path: sha256 equal"; else fail "curl -6 GET $path: sha256 $got"; fi
}

if [[ $mode == plain ]]; then
    ip netns exec "$ns" tcpdump -i "$tap" -U -w "$work/tap.pcap" >/dev/null 2>&1 &
    pids+=($!)
    sleep 0.5

    # The kernel learned our MAC by neighbour discovery, and we answer it.
    if in_ns ip -6 neigh show dev "$tap" | grep -q "^$ours lladdr"; then ok "the kernel's neighbour cache has us"; else fail "no neighbour entry for $ours: $(in_ns ip -6 neigh show dev "$tap")"; fi

    out=$(in_ns ping -6 -c 20 -i 0.05 "$ours")
    if grep -q "20 packets transmitted, 20 received, 0% packet loss" <<<"$out"; then ok "ping -6 -c 20: no loss"; else fail "ping -6: $out"; fi
    out=$(in_ns ping -c 5 -i 0.05 10.0.0.2)
    if grep -q "5 packets transmitted, 5 received" <<<"$out"; then ok "ping over IPv4 on the same interface"; else fail "ping IPv4: $out"; fi

    get6 /1k.bin
    get6 /10m.bin

    echoed=$(printf 'Hello!\n' | in_ns timeout 10 nc -6 -N "$ours" 7)
    if [[ $echoed == "Hello!" ]]; then ok "nc -6 echo"; else fail "nc -6 echo gave '$echoed'"; fi

    answer=$(in_ns dig +short +time=2 +tries=3 -p 53 "@$ours" www.example AAAA)
    if [[ $answer == 2001:db8::80 ]]; then ok "dig AAAA over IPv6 (UDP)"; else fail "dig AAAA gave '$answer'"; fi
    answer=$(in_ns dig +short +tcp +time=2 +tries=3 -p 53 "@$ours" www.example AAAA)
    if [[ $answer == 2001:db8::80 ]]; then ok "dig +tcp AAAA over IPv6"; else fail "dig +tcp AAAA gave '$answer'"; fi

    sleep 0.5
    kill -INT "${pids[-1]}" 2>/dev/null
    wait "${pids[-1]}" 2>/dev/null
    unset 'pids[-1]'
    judge_what_we_sent "$work/tap.pcap" TcpInCsumErrors Icmp6InCsumErrors Udp6InCsumErrors TcpInErrs
fi
get6 /big.bin

# Our stack -> kernel over IPv6: a second TAP for our client.
in_ns ip tuntap add dev "$client_tap" mode tap
in_ns sysctl -qw "net.ipv6.conf.$client_tap.disable_ipv6=0" \
    "net.ipv6.conf.$client_tap.router_solicitations=0" "net.ipv6.conf.$client_tap.accept_ra=0"
in_ns ip -6 addr add 2001:db8:2::1/64 dev "$client_tap" nodad
in_ns ip link set "$client_tap" up
# The kernel's servers listen on :: (inside the namespace): an address on a
# TAP with no carrier yet cannot be bound, and the carrier comes only when
# our client opens the TAP.
(cd "$work/kernel-www" && exec ip netns exec "$ns" timeout 600 /usr/bin/python3 -m http.server 8001 --bind ::) >"$work/py.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
    in_ns ss -6 -ltn | grep -q ':8001 ' && break
    sleep 0.1
done
got=$(in_ns timeout 300 "$bin" live --tap "$client_tap" --address 2001:db8:2::2/64 "${impair[@]}" \
    --get "http://[2001:db8:2::1]:8001/big.bin" 2>&1)
if grep -q "sha256 $(sha "$work/kernel-www/big.bin")" <<<"$got"; then
    ok "our client fetched $big_mb MB over IPv6 from python3 http.server: sha256 equal ($(grep -o '[0-9.]* Mbit/s' <<<"$got"))"
else
    fail "our client over IPv6: $got"
fi

if [[ $mode == plain ]]; then
    in_ns timeout 120 nc -6 -l 9009 | wc -c >"$work/counted" &
    sleep 0.3
    if in_ns timeout 120 "$bin" live --tap "$client_tap" --address 2001:db8:2::2/64 "${impair[@]}" \
        --send "[2001:db8:2::1]:9009" --bytes 20000000 >"$work/send.log" 2>&1; then
        wait $! 2>/dev/null || true
        if [[ $(cat "$work/counted") == 20000000 ]]; then
            ok "--send 20 MB over IPv6: the kernel's nc counted them all ($(grep -o '[0-9.]* Mbit/s' "$work/send.log"))"
        else
            fail "--send over IPv6: the kernel's nc counted $(cat "$work/counted") bytes"
        fi
    else
        fail "--send over IPv6 failed: $(tail -3 "$work/send.log")"
    fi
    # The kernel already holds 2001:db8:2::1: duplicate address detection
    # finds it, the address is not used, and the exit status says so (3).
    dup=$(in_ns timeout 20 "$bin" live --tap "$client_tap" --address 2001:db8:2::1/64 \
        --get "http://[2001:db8:2::1]:8001/big.bin" 2>&1)
    status=$?
    if ((status == 3)); then
        ok "duplicate address detection against the kernel"
    else
        fail "no duplicate address found (exit status $status): $dup"
    fi
fi

if ((failed)); then
    echo "--- our host's log" >&2
    tail -30 "$work/live.log" >&2
fi
exit $failed
