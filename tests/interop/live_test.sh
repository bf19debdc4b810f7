#!/usr/bin/env bash
# minternet on a real TAP, the Linux kernel as its peer, in a private network
# namespace this test makes and removes (scripts/live-netns.sh): nothing
# reaches the machine's own interfaces.
#
#   live_test.sh MINTERNET_BINARY [plain|impaired [MB]]
#
# plain:    kernel -> our stack: ping -c 20 with no loss; curl GET of 1 KB,
#           10 MB and 100 MB, sha256 equal; curl POST of 50 MB, sha256 equal;
#           nc echo; dig; 100 curls at once. Our stack -> kernel: our HTTP
#           client fetches 100 MB from python3 -m http.server, sha256 equal.
#           The measuring services: the kernel's nc sends 20 MB to our
#           discard:9, and our --send sends 20 MB to a kernel nc that counts.
#           tshark finds no malformed frame and no bad checksum in a capture of
#           the TAP (the small transfers, whole frames) without offloads; with
#           them the kernel's counters (nstat) show no checksum error.
# impaired: MB megabytes (default 100) both ways under
#           --impair loss=3%,reorder=10%,delay=10ms,duplicate=1%.
#           make test runs it with 20 MB (about 40 s); make chaos with 100 MB
#           (about 3.5 minutes, mostly waiting on the emulated path).
#
# Needs root (see netns_common.sh for what happens without it).
set -uo pipefail

bin=${1:?usage: live_test.sh MINTERNET_BINARY [plain|impaired]}
mode=${2:-plain}
impaired_mb=${3:-100}
[[ $impaired_mb =~ ^[1-9][0-9]{0,3}$ ]] || { echo "live_test: MB must be 1 to 9999, not '$impaired_mb'" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
netns_script="$here/../../scripts/live-netns.sh"

test_name=live_test
source "$here/netns_common.sh"
require_root
require_tools ip curl ping nc dig tcpdump tshark
[[ -x /usr/bin/python3 ]] || { echo "live_test: /usr/bin/python3 is not installed" >&2; exit 1; }

ns="mnet-live-$$"
tap="mtap$$"
tap=${tap:0:15}
work=$(mktemp -d /tmp/minternet-live.XXXXXX)
ours=10.0.0.2
kernel=10.0.0.1
pids=()

cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.3
    "$netns_script" down "$ns" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }

"$netns_script" up "$ns" "$tap" "$kernel/24" >/dev/null || exit 1

mkdir -p "$work/www" "$work/kernel-www"
head -c 1024 /dev/urandom >"$work/www/1k.bin"
head -c 10M /dev/urandom >"$work/www/10m.bin"
# The big file: 100 MB, or the size asked for under impairment.
big_mb=100
[[ $mode == impaired ]] && big_mb=$impaired_mb
head -c "${big_mb}M" /dev/urandom >"$work/www/big.bin"
head -c 50M /dev/urandom >"$work/post.bin"
cp "$work/www/big.bin" "$work/kernel-www/big.bin"

impair=()
[[ $mode == impaired ]] && impair=(--impair loss=3%,reorder=10%,delay=10ms,duplicate=1%)
# MINTERNET_LIVE_OFFLOAD=off runs everything without the kernel's offloads
# (the default takes them: coalesced segments and partial checksums).
impair+=(--offload "${MINTERNET_LIVE_OFFLOAD:-on}")

# Our host, bounded in time: it stops by itself after 10 minutes at most.
ip netns exec "$ns" timeout 600 "$bin" live --tap "$tap" --address "$ours/24" --gateway "$kernel" \
    --serve "http:80=$work/www" --serve echo:7 --serve discard:9 \
    --serve "dns:53=$here/../data/dns/example.zone" "${impair[@]}" >"$work/live.log" 2>&1 &
pids+=($!)

wait_for_ping "$ours" || { fail "our host never answered ping"; cat "$work/live.log" >&2; exit 1; }

# curl GET PATH: the download's sha256 must equal the file's.
get() {
    local path=$1
    local got
    got=$(in_ns timeout 300 curl -sS --fail "http://$ours$path" -o - | sha256sum | cut -d' ' -f1)
    if [[ $got == "$(sha "$work/www$path")" ]]; then ok "curl GET $path: sha256 equal"; else fail "curl GET $path: sha256 $got"; fi
}

if [[ $mode == plain ]]; then
    ip netns exec "$ns" tcpdump -i "$tap" -U -w "$work/tap.pcap" >/dev/null 2>&1 &
    pids+=($!)
    sleep 0.5

    out=$(in_ns ping -c 20 -i 0.05 "$ours")
    if grep -q "20 packets transmitted, 20 received, 0% packet loss" <<<"$out"; then ok "ping -c 20: no loss"; else fail "ping: $out"; fi

    get /1k.bin
    get /10m.bin

    echoed=$(printf 'Hello!\n' | in_ns timeout 10 nc -N "$ours" 7)
    if [[ $echoed == "Hello!" ]]; then ok "nc echo"; else fail "nc echo gave '$echoed'"; fi

    answer=$(in_ns dig +short +time=2 +tries=3 -p 53 "@$ours" www.example A)
    if [[ $answer == 192.0.2.80 ]]; then ok "dig www.example A"; else fail "dig gave '$answer'"; fi

    sleep 0.5
    kill -INT "${pids[-1]}" 2>/dev/null
    wait "${pids[-1]}" 2>/dev/null
    unset 'pids[-1]'
    judge_what_we_sent "$work/tap.pcap" TcpInCsumErrors IpExtInCsumErrors UdpInCsumErrors TcpInErrs

    get /big.bin

    reply=$(in_ns timeout 300 curl -sS --fail -D - --data-binary "@$work/post.bin" \
        -H "Content-Type: application/octet-stream" "http://$ours/upload" -o /dev/null)
    said=$(tr -d '\r' <<<"$reply" | sed -n 's/^X-Content-SHA256: //Ip')
    if [[ $said == "$(sha "$work/post.bin")" ]]; then ok "curl POST 50 MB: sha256 equal"; else fail "curl POST: the server saw sha256 '$said'"; fi

    # 100 connections at once.
    for i in $(seq 1 100); do
        in_ns timeout 120 curl -sS --fail "http://$ours/1k.bin" -o "$work/c$i" &
    done
    wait_failed=0
    for job in $(jobs -p); do
        [[ " ${pids[*]} " == *" $job "* ]] && continue
        wait "$job" || wait_failed=1
    done
    good=0
    for i in $(seq 1 100); do [[ $(sha "$work/c$i") == "$(sha "$work/www/1k.bin")" ]] && good=$((good + 1)); done
    if ((good == 100 && wait_failed == 0)); then ok "100 concurrent curls"; else fail "100 concurrent curls: $good whole"; fi
else
    get /big.bin
fi

# Our stack -> kernel: our client downloads from a kernel-side server. The
# first TAP belongs to the host above; the client gets a second one.
in_ns ip tuntap add dev "${tap:0:11}c" mode tap
in_ns ip addr add 10.0.1.1/24 dev "${tap:0:11}c"
in_ns ip link set "${tap:0:11}c" up
(cd "$work/kernel-www" && exec ip netns exec "$ns" timeout 600 /usr/bin/python3 -m http.server 8001 --bind 10.0.1.1) >"$work/py.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
    in_ns curl -s -o /dev/null "http://10.0.1.1:8001/" && break
    sleep 0.1
done
got=$(in_ns timeout 300 "$bin" live --tap "${tap:0:11}c" --address 10.0.1.2/24 "${impair[@]}" \
    --get "http://10.0.1.1:8001/big.bin" 2>&1)
if grep -q "sha256 $(sha "$work/kernel-www/big.bin")" <<<"$got"; then
    ok "our client fetched $big_mb MB from python3 http.server: sha256 equal ($(grep -o '[0-9.]* Mbit/s' <<<"$got"))"
else
    fail "our client: $got"
fi

# The measuring services: the kernel sends 20 MB to our discard server
# (RFC 863), and our --send sends 20 MB to a kernel nc that counts them.
if [[ $mode == plain ]]; then
    if head -c 20000000 /dev/zero | in_ns timeout 120 nc -N "$ours" 9 >/dev/null &&
        grep -q "20000000 bytes" "$work/live.log"; then
        ok "discard:9 took 20 MB from the kernel's nc"
    else
        fail "discard:9: nc failed or the sink did not count 20000000 bytes"
    fi
    in_ns timeout 120 nc -l 10.0.1.1 9009 | wc -c >"$work/counted" &
    sleep 0.3
    if in_ns timeout 120 "$bin" live --tap "${tap:0:11}c" --address 10.0.1.2/24 "${impair[@]}" \
        --send 10.0.1.1:9009 --bytes 20000000 >"$work/send.log" 2>&1; then
        wait $! 2>/dev/null || true
        if [[ $(cat "$work/counted") == 20000000 ]]; then
            ok "--send 20 MB: the kernel's nc counted them all ($(grep -o '[0-9.]* Mbit/s' "$work/send.log"))"
        else
            fail "--send: the kernel's nc counted $(cat "$work/counted") bytes"
        fi
    else
        fail "--send failed: $(tail -3 "$work/send.log")"
    fi
    # The same TAP again with the other offload choice: a TAP keeps the
    # offloads its last user set, and ours must set its own either way.
    other=off
    [[ ${MINTERNET_LIVE_OFFLOAD:-on} == off ]] && other=on
    in_ns timeout 60 nc -l 10.0.1.1 9010 | wc -c >"$work/counted2" &
    sleep 0.3
    if in_ns timeout 60 "$bin" live --tap "${tap:0:11}c" --address 10.0.1.2/24 --offload "$other" \
        --send 10.0.1.1:9010 --bytes 1000000 >"$work/send2.log" 2>&1; then
        wait $! 2>/dev/null || true
        [[ $(cat "$work/counted2") == 1000000 ]] && ok "--send with --offload $other on a TAP last used the other way" ||
            fail "--offload $other after the other: the kernel's nc counted $(cat "$work/counted2") bytes"
    else
        fail "--send with --offload $other on a TAP last used the other way: $(tail -3 "$work/send2.log")"
    fi
    # A --send that cannot even start (no route) says so and ends.
    in_ns timeout 20 "$bin" live --tap "${tap:0:11}c" --address 10.0.1.2/24 \
        --send 10.7.0.1:9010 --bytes 1000 >"$work/send3.log" 2>&1
    status=$?
    if ((status != 0 && status != 124)); then
        ok "--send with no route ends (exit $status)"
    else
        fail "--send with no route: exit $status (124: it never ended)"
    fi
fi

if ((failed)); then
    echo "--- our host's log" >&2
    tail -30 "$work/live.log" >&2
fi
exit $failed
