#!/usr/bin/env bash
# Runs every topology in examples/ through `minternet run` and checks what each
# must show. An example with no expectations here fails: add them with it.
#
#   examples_test.sh MINTERNET_BINARY [EXAMPLES_DIR]
set -uo pipefail

bin=${1:?usage: examples_test.sh MINTERNET_BINARY [EXAMPLES_DIR]}
dir=${2:-$(cd "$(dirname "$0")/../../examples" && pwd)}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
failed=0

# expect FILE PATTERN COUNT: the run's output has exactly COUNT lines matching.
expect() {
    local name=$1 pattern=$2 want=$3 got
    got=$(grep -cE -- "$pattern" "$out/$name.txt")
    if [[ $got -ne $want ]]; then
        echo "examples_test: $name: $want lines should match '$pattern', $got do" >&2
        failed=1
    fi
}

# expect_events FILE PATTERN MIN: at least MIN lines of the run's event log
# match (for what the output does not print, such as TCP's retransmissions).
expect_events() {
    local name=$1 pattern=$2 min=$3 got
    got=$(grep -cE -- "$pattern" "$out/$name/events.jsonl")
    if [[ $got -lt $min ]]; then
        echo "examples_test: $name: at least $min events should match '$pattern', $got do" >&2
        failed=1
    fi
}

# expect_distinct FILE LINES PART COUNT: among the output's lines matching
# LINES, exactly COUNT different strings match PART.
expect_distinct() {
    local name=$1 lines=$2 part=$3 want=$4 got
    got=$(grep -E -- "$lines" "$out/$name.txt" | grep -oE -- "$part" | sort -u | wc -l)
    if [[ $got -ne $want ]]; then
        echo "examples_test: $name: lines matching '$lines' should hold $want different '$part', $got do" >&2
        failed=1
    fi
}

# The SHA-256 of the sample site's /bytes/N: the alphabet over and over, as the
# server sends it.
alphabet_sha256() {
    yes abcdefghijklmnopqrstuvwxyz | tr -d '\n' | head -c "$1" | sha256sum | cut -d' ' -f1
}

for file in "$dir"/*.yaml; do
    name=$(basename "$file" .yaml)
    if ! "$bin" run "$file" --out "$out/$name" >"$out/$name.txt" 2>&1; then
        echo "examples_test: $name: minternet run failed:" >&2
        cat "$out/$name.txt" >&2
        failed=1
        continue
    fi
    case $name in
    two-routers)
        # Three echoes answered across two routers (TTL 64 - 2), then the
        # path hop by hop.
        expect "$name" 'bytes from server \(200\.200\.200\.2\): icmp_seq=[123] ttl=62' 3
        expect "$name" '3 packets transmitted, 3 received, 0% packet loss' 1
        expect "$name" 'traceroute: +1 +r1 \(100\.100\.100\.254\)' 1
        expect "$name" 'traceroute: +2 +r2 \(10\.0\.12\.2\)' 1
        expect "$name" 'traceroute: +3 +server \(200\.200\.200\.2\)' 1
        ;;
    ip-limits)
        # Nobody at 200.200.200.99: r2's ARP gets no answer, and it says so.
        expect "$name" 'desktop ping: From 10\.0\.12\.2 icmp_seq=[123] Destination Host Unreachable' 3
        expect "$name" 'desktop ping: 3 packets transmitted, 0 received, \+3 errors, 100% packet loss' 1
        # The Wi-Fi link: pings missing, datagrams missing and out of order.
        expect "$name" 'laptop ping: 20 packets transmitted, ([0-9]|1[0-9]) received, [1-9][0-9]*% packet loss' 1
        expect "$name" 'laptop udp-stream: numbered: sent 200, echoed back [0-9]+, lost [1-9][0-9]* \([0-9.]+%\), out of order [1-9][0-9]*,' 1
        # 3000 bytes across a 1000-byte link: fragmented, reassembled, answered.
        expect "$name" 'desktop ping: 3008 bytes from server \(200\.200\.200\.2\): icmp_seq=[123] ttl=62' 3
        expect "$name" 'desktop ping: 3 packets transmitted, 3 received, 0% packet loss' 1
        expect_events "$name" '"node":"server","event":"reassembled","fragments":5,.*"icmp_type":8' 3
        expect "$name" '(ping|udp-stream): .*(DAMAGED|DUP!|duplicates [1-9])' 0
        ;;
    tcp-vs-udp)
        # UDP loses datagrams on the lossy path and tells no one; TCP
        # retransmits and delivers every byte, in order.
        expect "$name" 'home udp-stream: udp: sent 100, echoed back [0-9]+, lost [1-9][0-9]* ' 1
        expect "$name" "home http-get: tcp: GET /bytes/100000 -> 200 OK, 100000 bytes in [0-9.]+ ms, sha256 $(alphabet_sha256 100000)\$" 1
        expect "$name" 'server http-server: web server: GET /bytes/100000 from 100\.64\.0\.2:[0-9]+: 200 OK, 100000 bytes' 1
        expect_events "$name" '"event":"tcp_send".*"why":"(fast retransmit|retransmission after RTO)"' 1
        expect "$name" '(http-get|udp-stream): .*(DAMAGED|error|refused|timed out)' 0
        ;;
    cubic)
        # Each sender runs its own congestion control to the end; CUBIC,
        # backing off less and climbing back faster, moves more in 30 s.
        expect "$name" 'cubic-sender tcp-bulk: cubic: sent [0-9]+ bytes in [0-9.]+ s' 1
        expect "$name" 'reno-sender tcp-bulk: newreno: sent [0-9]+ bytes in [0-9.]+ s' 1
        cubic_bytes=$(grep -oE 'cubic: sent [0-9]+' "$out/$name.txt" | grep -oE '[0-9]+$')
        reno_bytes=$(grep -oE 'newreno: sent [0-9]+' "$out/$name.txt" | grep -oE '[0-9]+$')
        if [[ -z $cubic_bytes || -z $reno_bytes || $cubic_bytes -le $reno_bytes ]]; then
            echo "examples_test: $name: CUBIC should move more than NewReno (${cubic_bytes:-?} vs ${reno_bytes:-?} bytes)" >&2
            failed=1
        fi
        # Both lost packets at the full queue and reduced: CUBIC to 70 % of
        # its window, NewReno to half its flight.
        expect_events "$name" '"node":"cubic-sender","event":"tcp_window",.*"ssthresh":[0-9]{5,6},' 10
        expect_events "$name" '"node":"reno-sender","event":"tcp_window",.*"ssthresh":[0-9]{5,6},' 10
        ;;
    ipv6)
        # The lookup over IPv6 through a recursor that walks the tree over
        # IPv6 (kiminje.shop.'s server has no IPv4 address at all); the
        # client fetches over IPv6 first (Happy Eyeballs) after core's
        # "packet too big" to the server; legacy, with no IPv6, over IPv4; a
        # 2000-byte ping fragmented at the source once isp said "too big";
        # the unknown address answered "address unreachable" by core.
        expect "$name" 'client dns-lookup: lookup: kiminje\.shop\. AAAA 2001:db8:200::2 TTL 300 \(from 2001:db8:53::53' 1
        expect "$name" 'resolver +DNS +query kiminje\.shop\. AAAA -> 2001:db8:201::53:53' 1
        expect "$name" 'resolver +DNS +query kiminje\.shop\. AAAA -> 2001:db8:41::4:53' 1
        expect "$name" 'client http-get: web: kiminje\.shop is 2001:db8:200::2, 200\.200\.200\.2 \(DNS' 1
        expect "$name" 'client http-get: web: connected to kiminje\.shop \(\[2001:db8:200::2\]:80\)' 1
        expect "$name" 'client http-get: web: GET / -> 200 OK, 20000 bytes' 1
        expect "$name" 'legacy +DNS +query kiminje\.shop\. AAAA' 0
        expect "$name" 'legacy http-get: web: kiminje\.shop is 200\.200\.200\.2 \(DNS' 1
        expect "$name" 'legacy http-get: web: connected to kiminje\.shop \(200\.200\.200\.2:80\)' 1
        expect "$name" 'legacy http-get: web: GET / -> 200 OK, 20000 bytes' 1
        expect "$name" 'core +ICMP ICMPv6 packet too big -> 2001:db8:200::2' 6
        expect "$name" 'isp +ICMP ICMPv6 packet too big -> 2001:db8:100::1' 1
        expect "$name" 'kiminje-web +IP +reassembles ICMPv6 echo request seq=[23] .* from 2 fragments' 2
        expect "$name" 'client ping: 2008 bytes from 2001:db8:200::2: icmp_seq=[23] ttl=62 time=' 2
        expect "$name" 'client ping: From 2001:db8:ff::2 icmp_seq=1 Destination unreachable: Address unreachable' 1
        expect_events "$name" '"event":"ndp","what":"address ready"' 28
        expect_events "$name" '"node":"core","event":"icmpv6_sent","to":"2001:db8:200::2","type":2,' 1
        expect_events "$name" '"node":"kiminje-web","event":"tcp_send",.*"why":"path MTU"' 1
        if ! grep -q '"event":"ndp","what":"resolved","target":"2001:db8:200::2"' "$out/$name/events.jsonl"; then
            echo "examples_test: $name: core should find the web server's IPv6 address by neighbour discovery" >&2
            failed=1
        fi
        ;;
    pmtud)
        # Both transfers arrive whole: via r1 after one "fragmentation
        # needed" (pieces sent again at once, well under a second), via r2
        # (no ICMP: a black hole) after three timeouts, in seconds.
        expect "$name" "client http-get: via-r1: GET /bytes/200000 -> 200 OK, 200000 bytes in [0-9]{2,3}\.[0-9] ms, sha256 $(alphabet_sha256 200000)\$" 1
        expect "$name" "client http-get: via-r2: GET /bytes/200000 -> 200 OK, 200000 bytes in [0-9]{4}\.[0-9] ms, sha256 $(alphabet_sha256 200000)\$" 1
        expect_events "$name" '"node":"r1","event":"icmp_sent",.*"type":3,"code":4' 1
        expect_events "$name" '"node":"server-a","event":"tcp_send",.*"why":"path MTU"' 1
        if grep -q '"node":"r2","event":"icmp_sent"' "$out/$name/events.jsonl"; then
            echo "examples_test: $name: r2 sends no ICMP errors, yet it sent one" >&2
            failed=1
        fi
        ;;
    syn-flood)
        # The same flood at both servers: with cookies the client gets in at
        # once; without, only when the forged half-open connections time
        # out (SYN+ACK sent 5 times: 63 s).
        expect "$name" 'attacker syn-flood: flood-(old|new): sent 60000 SYNs in 3\.000 s' 2
        expect "$name" 'client http-get: to-new: connected to new-server \(10\.4\.0\.1:80\) in [0-9]\.[0-9] ms' 1
        expect "$name" 'client http-get: to-old: connected to old-server \(10\.3\.0\.1:80\) in 6[0-9]{4}\.[0-9] ms' 1
        expect "$name" 'client http-get: to-(old|new): GET / -> 200 OK, 2000 bytes' 2
        ;;
    ports)
        # Four servers on one address, each on its port, all answering at once.
        expect "$name" 'server (http-server|dns-server|udp-echo): .*listening on port (80|53|7|27015)( |$)' 4
        expect "$name" 'home http-get: browser: kiminje\.shop is 200\.200\.200\.2 \(DNS' 1
        expect "$name" 'home http-get: browser: GET / -> 200 OK, 20000 bytes' 3
        expect "$name" 'home http-get: download: GET /bytes/1000000 -> 200 OK, 1000000 bytes' 1
        expect "$name" 'neighbour http-get: browser: GET / -> 200 OK, 20000 bytes' 1
        expect "$name" 'home udp-stream: game: sent 40, echoed back 40, lost 0 ' 1
        expect "$name" 'home udp-stream: echo: sent 100, echoed back 100, lost 0 ' 1
        # The server tells home's two connections apart by their ports.
        expect "$name" 'server http-server: web server: GET / from 100\.64\.0\.2:[0-9]+: 200 OK, 20000 bytes' 3
        expect "$name" 'server http-server: web server: GET /bytes/1000000 from 100\.64\.0\.2:[0-9]+: 200 OK' 1
        expect "$name" 'server http-server: web server: GET / from 100\.64\.1\.2:[0-9]+: 200 OK' 1
        expect_distinct "$name" 'server http-server: web server: GET ' 'from 100\.64\.0\.2:[0-9]+' 2
        expect "$name" '(http-get|udp-stream): .*(DAMAGED|error|refused|timed out)' 0
        ;;
    router-failure)
        # Before: through r2. r2 crashes during the download; after the
        # convergence delay the path goes through r3; TCP retransmits and
        # the whole body arrives on the same connection.
        expect "$name" 'client traceroute: +2 +r2 \(10\.0\.12\.2\)' 1
        expect "$name" 'client traceroute: +2 +r3 \(10\.0\.13\.2\)' 1
        expect "$name" 'client traceroute: +4 +server \(200\.200\.200\.2\)' 2
        expect "$name" 'client http-get: web: connected to server' 1
        expect "$name" "client http-get: web: GET /bytes/4000000 -> 200 OK, 4000000 bytes in [0-9.]+ ms, sha256 $(alphabet_sha256 4000000)\$" 1
        expect_events "$name" '"node":"r2","event":"node_crash"' 1
        expect_events "$name" '"event":"routes_recomputed"' 1
        expect_events "$name" '"node":"server","event":"tcp_send".*"why":"retransmission after RTO"' 1
        expect "$name" 'http-get: .*(error|refused|timed out)' 0
        ;;
    dns)
        # The first lookup walks root -> shop. -> kiminje.shop. (tens of ms);
        # the second one is answered from the resolver's cache in one round
        # trip to it (2 x (5 + 1) ms); then the page comes over TCP.
        expect "$name" 'client dns-lookup: lookup: kiminje\.shop\. A 200\.200\.200\.2 TTL 300 \(from 10\.53\.0\.53 in [0-9]{3}\.[0-9] ms\)' 1
        expect "$name" 'client http-get: web: kiminje\.shop is 200\.200\.200\.2 \(DNS, 12\.0 ms\)' 1
        expect "$name" 'client http-get: web: GET / -> 200 OK, 2000 bytes' 1
        expect "$name" 'kiminje-web http-server: web server: GET / from 100\.100\.100\.1:' 1
        expect "$name" 'damaged|error|SERVFAIL|NXDOMAIN' 0
        ;;
    dns-change)
        # Before the update and within the old answer's TTL the client goes to
        # the old machine; after the TTL, to the new one.
        expect "$name" 'new-web dns-update: update: kiminje\.shop\. A -> 200\.200\.202\.2 TTL 300 at 200\.200\.201\.53: NOERROR' 1
        expect "$name" 'client http-get: before: kiminje\.shop is 200\.200\.200\.2 ' 1
        expect "$name" 'client http-get: cached: kiminje\.shop is 200\.200\.200\.2 ' 1
        expect "$name" 'client http-get: after: kiminje\.shop is 200\.200\.202\.2 ' 1
        expect "$name" 'old-web http-server: web server: GET / from 100\.100\.100\.1:.*1000 bytes' 2
        expect "$name" 'new-web http-server: web server: GET / from 100\.100\.100\.1:.*3000 bytes' 1
        expect "$name" 'client http-get: (before|cached): GET / -> 200 OK, 1000 bytes' 2
        expect "$name" 'client http-get: after: GET / -> 200 OK, 3000 bytes' 1
        expect "$name" 'damaged|error|SERVFAIL|NXDOMAIN|REFUSED' 0
        ;;
    seeds)
        # The built-in scenario (tests/scenarios/main_job_test.sh checks its
        # whole timeline): Hello!/OK over TCP after DNS, then a page across
        # the lossy link, losses repaired.
        expect "$name" 'client tcp-hello: hello: kiminje\.shop is 200\.200\.200\.2 \(DNS' 1
        expect "$name" 'client tcp-hello: hello: sent "Hello!", got "OK"' 1
        expect "$name" 'client tcp-hello: hello: closed \(4-way close' 1
        expect "$name" 'client http-get: page: GET / -> 200 OK, 20000 bytes' 1
        expect "$name" 'LINK .* lost on link isp-core' 2
        expect "$name" 'TCP +(resends|SYN again)' 2
        ;;
    *)
        echo "examples_test: $name: no expectations for this example" >&2
        failed=1
        ;;
    esac
done

# `minternet ping` and `traceroute` to an IPv6 address wait for duplicate
# address detection, then go over ICMPv6: the hops by name, their addresses
# on the way in.
if [[ -f "$dir/ipv6.yaml" ]]; then
    if ! "$bin" ping "$dir/ipv6.yaml" client 2001:db8:200::2 -c 2 >"$out/ping6.txt" 2>&1; then
        echo "examples_test: minternet ping over IPv6 failed:" >&2
        cat "$out/ping6.txt" >&2
        failed=1
    fi
    expect ping6 '^64 bytes from 2001:db8:200::2: icmp_seq=[12] ttl=62' 2
    if ! "$bin" traceroute "$dir/ipv6.yaml" client 2001:db8:200::2 >"$out/traceroute6.txt" 2>&1; then
        echo "examples_test: minternet traceroute over IPv6 failed:" >&2
        cat "$out/traceroute6.txt" >&2
        failed=1
    fi
    expect traceroute6 '^ 1  isp \(2001:db8:100::254\)' 1
    expect traceroute6 '^ 2  core \(2001:db8:ff::2\)' 1
    expect traceroute6 '^ 3  kiminje-web \(2001:db8:200::2\)' 1
    expect traceroute6 '^ 4 ' 0
fi
exit $failed
