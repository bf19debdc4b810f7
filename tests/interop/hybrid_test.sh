#!/usr/bin/env bash
# Hybrid mode: a simulated internet on the wall clock with the Linux kernel in
# one host's place (`minternet run TOPOLOGY --tap client=TAP`), in a private
# network namespace this test makes and removes: nothing reaches the
# machine's own interfaces.
#
#   hybrid_test.sh MINTERNET_BINARY
#
# The kernel, as `client` of tests/interop/hybrid.yaml (two simulated routers,
# 2 % loss on the core link): ping reaches the simulated web server with the
# simulated path's round trip (at least 2 x (5 + 10 + 8) ms); dig asks the
# simulated recursive resolver, which walks the simulated root, shop. and
# kiminje.shop. servers; curl fetches a page and 2 MB through the lossy link,
# sha256 equal, and posts 1 MB, which the server hashes; over IPv6 the
# kernel takes its address and default route from the simulated router's
# advertisements (SLAAC), pings the web server and fetches the page and
# 2 MB with curl -6; client's own
# application in the file does not run. With the TAP's offloads (the
# default; MINTERNET_HYBRID_OFFLOAD=off runs without), the kernel's large TCP
# segments are cut to the link's MTU on the way in, and the counters say so.
#
# Needs root (see netns_common.sh for what happens without it).
set -uo pipefail

bin=${1:?usage: hybrid_test.sh MINTERNET_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
netns_script="$here/../../scripts/live-netns.sh"

test_name=hybrid_test
source "$here/netns_common.sh"
require_root
require_tools ip curl ping dig

ns="mnet-hybrid-$$"
tap="mhyb$$"
tap=${tap:0:15}
work=$(mktemp -d /tmp/minternet-hybrid.XXXXXX)
pid=

cleanup() {
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null
    sleep 0.3
    "$netns_script" down "$ns" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

# The kernel side is client: its address, its router as the default route.
"$netns_script" up "$ns" "$tap" 100.100.100.1/24 100.100.100.254 >/dev/null || exit 1
# IPv6 on the TAP, with no address of its own: it takes router
# advertisements (the namespace does not forward, so the kernel acts as a host).
in_ns sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=0" "net.ipv6.conf.$tap.accept_ra=1" ||
    { fail "cannot turn IPv6 on for $tap"; exit 1; }

# Bounded: the run stops by itself after two minutes at most.
offload=${MINTERNET_HYBRID_OFFLOAD:-on}
ip netns exec "$ns" timeout 150 "$bin" run "$here/hybrid.yaml" --realtime --tap "client=$tap" \
    --offload "$offload" --duration 120 --out "$work/out" >"$work/run.log" 2>&1 &
pid=$!

wait_for_ping 100.100.100.254 ||
    { fail "the simulated router never answered ping"; cat "$work/run.log" >&2; exit 1; }

if grep -q "client: its 1 application(s) in the file do not run" "$work/run.log"; then
    ok "client's own application is left out"
else
    fail "no word that client's application is left out"
fi

# The simulated path: 5 + 10 + 8 ms each way, so no reply before 46 ms.
out=$(in_ns ping -c 10 -i 0.2 200.200.200.2)
min=$(sed -n 's|^rtt min/avg/max/mdev = \([0-9.]*\)/.*|\1|p' <<<"$out")
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out")
if [[ -n $min ]] && ((received >= 5)) && awk -v m="$min" 'BEGIN { exit !(m >= 46 && m < 200) }'; then
    ok "ping through two simulated routers: $received/10 replies, min RTT $min ms (path: 46 ms)"
else
    fail "ping: $out"
fi

# DNS through the simulated resolver (which walks root -> shop. -> kiminje.shop.).
answer=$(in_ns dig +short +time=3 +tries=3 @10.53.0.53 kiminje.shop A)
if [[ $answer == 200.200.200.2 ]]; then ok "dig @resolver kiminje.shop A: $answer"; else fail "dig gave '$answer'"; fi

# HTTP from the simulated server, across the lossy link.
page=$(in_ns timeout 60 curl -sS --fail -o /dev/null -w '%{http_code} %{size_download}' http://200.200.200.2/)
if [[ $page == "200 2000" ]]; then ok "curl the page: $page"; else fail "curl the page: '$page'"; fi

n=2000000
want=$(/usr/bin/python3 -c "import sys; sys.stdout.write(''.join(chr(97 + i % 26) for i in range($n)))" | sha256sum | cut -d' ' -f1)
got=$(in_ns timeout 90 curl -sS --fail "http://200.200.200.2/bytes/$n" | sha256sum | cut -d' ' -f1)
if [[ $got == "$want" ]]; then ok "curl 2 MB across 2 % loss: sha256 equal"; else fail "curl 2 MB: sha256 $got"; fi

head -c 1000000 /dev/urandom >"$work/post.bin"
reply=$(in_ns timeout 90 curl -sS --fail -D - --data-binary "@$work/post.bin" \
    -H "Content-Type: application/octet-stream" "http://200.200.200.2/upload" -o /dev/null)
said=$(tr -d '\r' <<<"$reply" | sed -n 's/^X-Content-SHA256: //Ip')
if [[ $said == "$(sha256sum "$work/post.bin" | cut -d' ' -f1)" ]]; then
    ok "curl POST 1 MB across 2 % loss: the server's sha256 equal"
else
    fail "curl POST: the server saw sha256 '$said'"
fi

# IPv6: the kernel's address formed from isp's prefix (the kernel marks such
# addresses dynamic) and its default route learnt from the advertisement.
formed=
for _ in $(seq 1 100); do
    formed=$(in_ns ip -6 -o addr show dev "$tap" scope global | grep -v tentative |
        grep dynamic | awk '{print $4}' | grep '^2001:db8:100:0:' | head -1)
    [[ -n $formed ]] && break
    sleep 0.1
done
if [[ -n $formed ]]; then
    ok "the kernel formed $formed from the simulated router's advertisement"
else
    fail "no address from the router's advertisements: $(in_ns ip -6 addr show dev "$tap")"
fi
if in_ns ip -6 route show default proto ra | grep -q "via fe80::"; then
    ok "the kernel's IPv6 default route comes from the advertisement"
else
    fail "no default route from the advertisement: $(in_ns ip -6 route show)"
fi
out6=$(in_ns ping -6 -c 5 -i 0.2 2001:db8:200::2)
received6=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<<"$out6")
if [[ -n $received6 ]] && ((received6 >= 3)); then
    ok "ping -6 through two simulated routers: $received6/5 replies"
else
    fail "ping -6: $out6"
fi
page6=$(in_ns timeout 60 curl -6 -sS --fail -o /dev/null -w '%{http_code} %{size_download}' "http://[2001:db8:200::2]/")
if [[ $page6 == "200 2000" ]]; then ok "curl -6 the page: $page6"; else fail "curl -6 the page: '$page6'"; fi
got6=$(in_ns timeout 90 curl -6 -sS --fail "http://[2001:db8:200::2]/bytes/$n" | sha256sum | cut -d' ' -f1)
if [[ $got6 == "$want" ]]; then ok "curl -6 2 MB across 2 % loss: sha256 equal"; else fail "curl -6 2 MB: sha256 $got6"; fi

kill -INT "$pid" 2>/dev/null
wait "$pid"
status=$?
pid=
((status == 0)) || fail "the run exited $status after SIGINT (0 expected: a clean stop)"
if grep -qE "client on $tap: [1-9][0-9]* frames from the kernel, [1-9][0-9]* to it" "$work/run.log"; then
    ok "$(grep -E "client on $tap:" "$work/run.log")"
else
    fail "no TAP counters in the run's output"
fi
if [[ $offload == on ]]; then
    grep -qE "client on $tap: .*offloads on: [1-9][0-9]* large segments cut into [1-9][0-9]* frames, 0 with a bad" \
        "$work/run.log" || fail "offloads on, but no large segment from the kernel was cut"
else
    grep -qE "client on $tap: .*offloads off: 0 large segments" "$work/run.log" ||
        fail "offloads off, but the counters say otherwise"
fi
if ((failed)); then
    echo "--- the run's output" >&2
    tail -30 "$work/run.log" >&2
fi
exit $failed
