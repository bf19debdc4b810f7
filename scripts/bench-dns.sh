#!/usr/bin/env bash
# DNS server throughput: dnsperf against `minternet dns serve`, NSD and Knot
# DNS in one run, on loopback, with the same zone and the same query mix (90%
# names that exist, 10% that do not). Each server gets one worker (NSD
# server-count 1, Knot one UDP worker), since minternet's server is one
# thread. Bounded: SECONDS per server (default 5), then everything is stopped.
#
#   bench-dns.sh MINTERNET_BINARY [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: bench-dns.sh MINTERNET_BINARY [SECONDS]}
seconds=${2:-5}
zone=$PWD/tests/data/dns/example.zone
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

for tool in dnsperf nsd knotd; do
    command -v "$tool" >/dev/null || { echo "bench-dns: $tool is not installed (make deps)" >&2; exit 1; }
done

# The query mix: every name and type the zone answers, nine times over, and
# one name in ten missing.
{
    for i in $(seq 1 9); do
        printf '%s\n' "www.example. A" "www.example. AAAA" "mail.example. A" "example. MX" \
            "example. NS" "txt.example. TXT" "alias.example. A" "chain.example. A" \
            "host$i.wild.example. A" "_http._tcp.example. SRV"
    done
    for i in $(seq 1 10); do printf 'missing%s.example. A\n' "$i"; done
} >"$work/queries.txt"
missing=$(grep -c '^missing' "$work/queries.txt")
total=$(wc -l <"$work/queries.txt")

port() { # a free UDP port on 127.0.0.1
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_for() { # port
    for _ in $(seq 1 100); do
        dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 example. SOA >/dev/null 2>&1 &&
            dig +short +time=1 +tries=1 -p "$1" @127.0.0.1 example. SOA | grep -q . && return 0
        sleep 0.1
    done
    echo "bench-dns: nothing answers on port $1" >&2
    return 1
}
run() { # name port
    local out qps
    out=$(dnsperf -s 127.0.0.1 -p "$2" -d "$work/queries.txt" -l "$seconds" -c 4 -q 200 2>&1)
    qps=$(awk '/Queries per second:/ {print $4}' <<<"$out")
    lost=$(awk '/Queries lost:/ {print $3}' <<<"$out")
    printf '%-22s %12s qps   lost %s\n' "$1" "$qps" "$lost" >&2
    echo "$qps"
}

ours_port=$(port)
"$bin" dns serve --zone "$zone" --listen "127.0.0.1:$ours_port" >"$work/ours.log" 2>&1 &
pids+=($!)
wait_for "$ours_port"

nsd_port=$(port)
cat >"$work/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$nsd_port
  server-count: 1
  zonesdir: "$work"
  database: ""
  pidfile: "$work/nsd.pid"
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  xfrdir: "$work"
  username: ""
  chroot: ""
  rrl-ratelimit: 0
  verbosity: 0
remote-control:
  control-enable: no
zone:
  name: example.
  zonefile: $zone
CONF
nsd -d -c "$work/nsd.conf" >"$work/nsd.log" 2>&1 &
pids+=($!)
wait_for "$nsd_port"

knot_port=$(port)
mkdir -p "$work/knot"
cat >"$work/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$knot_port
    rundir: "$work/knot"
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$work/knot"
template:
  - id: default
    storage: "$work/knot"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: example.
    file: "$zone"
log:
  - target: stderr
    any: error
CONF
knotd -c "$work/knot.conf" >"$work/knot.log" 2>&1 &
pids+=($!)
wait_for "$knot_port"

echo "bench-dns: $total queries in the mix ($missing NXDOMAIN), ${seconds}s each, 4 clients, one server worker" >&2
ours=$(run "minternet dns serve" "$ours_port")
nsd=$(run "NSD $(nsd -v 2>&1 | awk 'NR==1 {print $3}')" "$nsd_port")
knot=$(run "Knot DNS $(knotd -V | awk '{print $NF}')" "$knot_port")
python3 - "$ours" "$nsd" "$knot" <<'PY' >&2
import sys
ours, nsd, knot = map(float, sys.argv[1:])
print(f"minternet / NSD = {ours / nsd:.2f}, minternet / Knot = {ours / knot:.2f}")
PY
