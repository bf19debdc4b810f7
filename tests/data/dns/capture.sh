#!/usr/bin/env bash
# Records real DNS traffic for the DNS codec's known-answer tests
# (tests/dns/known_answer_test.cpp): NSD answers questions from dig and kdig,
# tcpdump records every message, and each tool's printout is kept beside the
# capture so the test can hold our parser to what the tools decoded.
#
# How the files in kat/ were made
# -------------------------------
# One run of this script as root: `tests/data/dns/capture.sh`. It
#
#   1. makes a private network namespace, mkat-dns, with only its own loopback
#      interface up. Nothing else is created: no veth, no route, no address but
#      127.0.0.1, so no packet can reach the machine's interfaces or the
#      Internet, and nothing else on the machine's 127.0.0.1 (other tests,
#      other NSDs) is seen or disturbed;
#   2. starts NSD in the foreground (`nsd -d`, backgrounded by the script) on
#      127.0.0.1 port 55353 inside the namespace, with a config written to a
#      temporary directory: the zone `example.` from ../example.zone, response
#      rate limiting off, no user switch, no chroot, remote control off, and an
#      NSID ("minternet-kat") for the +nsid question;
#   3. starts `tcpdump -i lo -U -w dns.pcap udp port 55353 or tcp port 55353`
#      in the namespace and waits until it says it is listening;
#   4. asks the questions in QUERIES below, one after another, each bounded by
#      `timeout` and by the tools' own one-try, short-wait options, saving what
#      the tool printed to kat/NN-name.txt. Every question uses +qr, so both
#      the query that was sent and the response are printed (except the
#      `+noall +answer` one, which prints only the answer's records);
#   5. stops tcpdump, then NSD, deletes the namespace and the temporary
#      directory (a trap does it on any exit), checks the number of packets and
#      copies dns.pcap and the .txt files into kat/.
#
# Loopback traffic leaves UDP and TCP checksums to offload (lo's tx-checksum
# flag is fixed on), so the captured checksums are not meaningful; the IPv4
# header checksums are. The link type on lo is Ethernet with zero MACs.
#
# The files committed in kat/ come from a run on 2026-11-21 (machine clock) on
# Debian 12 with: NSD 4.6.1, dig 9.18.49-1~deb12u3-Debian, kdig (Knot DNS)
# 3.2.6, tcpdump 4.99.3 / libpcap 1.10.3, kernel 6.18.44. The script prints
# the versions it used at the end; kat/versions.txt keeps them.
#
# A new run gives new message IDs, ports, cookies and timestamps; the test
# reads those from the .txt files, so it needs no edits unless the questions
# change.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly HERE
readonly OUT_DIR="$HERE/kat"
readonly ZONE="$HERE/example.zone"
readonly NS=mkat-dns
readonly PORT=55353
readonly SERVER=127.0.0.1
WORK_DIR=""
NSD_PID=""
CAPTURE_PID=""

log() { printf 'capture.sh: %s\n' "$*" >&2; }
die() {
    log "error: $*"
    exit 1
}

in_ns() { ip netns exec "$NS" "$@"; }

cleanup() {
    local pid
    for pid in "$CAPTURE_PID" "$NSD_PID"; do
        if [[ -n "$pid" ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
    done
    for pid in "$CAPTURE_PID" "$NSD_PID"; do
        if [[ -n "$pid" ]]; then wait "$pid" 2>/dev/null || true; fi
    done
    if ip netns list | grep -qw "^$NS"; then ip netns delete "$NS"; fi
    if [[ -n "$WORK_DIR" ]]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The questions, in the order they are asked: "NN-name|tool|arguments". The
# server, port and the tools' retry and timeout options are added by ask().
readonly QUERIES=(
    "01-a|dig|www.example. A"
    "02-aaaa|kdig|www.example. AAAA"
    "03-mx-additional|dig|example. MX"
    "04-txt-strings|kdig|txt.example. TXT"
    "05-srv|dig|_http._tcp.example. SRV"
    "06-caa|kdig|example. CAA"
    "07-unknown-type|dig|opaque.example. TYPE65280"
    "08-cname-chain|dig|chain.example. A"
    "09-wildcard|kdig|x.wild.example. A"
    "10-nxdomain|dig|nothing.example. A"
    "11-nodata|kdig|www.example. MX"
    "12-referral|dig|+norecurse host.sub.example. A"
    "13-dnssec-do|dig|+dnssec +bufsize=4096 www.example. A"
    "14-nsid|kdig|+nsid example. SOA"
    "15-cookie|dig|+cookie ns2.example. AAAA"
    "16-big-udp-tc|dig|+noedns +ignore big.example. TXT"
    "17-big-tcp|dig|+noedns +tcp big.example. TXT"
    "18-ns-answer-only|kdig|+noall +answer example. NS"
)
# One UDP query and response each, except 17 (TCP, counted apart).
readonly UDP_QUERIES=17

ensure_tools() {
    local t
    for t in nsd dig kdig tcpdump ip ss timeout; do
        command -v "$t" >/dev/null || die "$t is not installed (scripts/install-deps.sh installs it)"
    done
    [[ -r "$ZONE" ]] || die "no zone file at $ZONE"
}

make_namespace() {
    if ip netns list | grep -qw "^$NS"; then ip netns delete "$NS"; fi
    ip netns add "$NS"
    in_ns ip link set lo up
    if [[ -d /proc/sys/net/ipv6 ]]; then
        in_ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    fi
}

start_nsd() {
    cp "$ZONE" "$WORK_DIR/example.zone"
    # "minternet-kat" in hex: NSD takes the NSID as hex digits.
    local nsid
    nsid=$(printf '%s' minternet-kat | od -An -tx1 | tr -d ' \n')
    cat >"$WORK_DIR/nsd.conf" <<EOF
server:
  ip-address: $SERVER@$PORT
  zonesdir: "$WORK_DIR"
  database: ""
  pidfile: "$WORK_DIR/nsd.pid"
  zonelistfile: "$WORK_DIR/zone.list"
  xfrdfile: "$WORK_DIR/xfrd.state"
  xfrdir: "$WORK_DIR"
  username: ""
  chroot: ""
  rrl-ratelimit: 0
  nsid: "$nsid"
  verbosity: 1
remote-control:
  control-enable: no
zone:
  name: example.
  zonefile: example.zone
EOF
    timeout 120 ip netns exec "$NS" nsd -d -c "$WORK_DIR/nsd.conf" >"$WORK_DIR/nsd.log" 2>&1 &
    NSD_PID=$!
    # Serving once it answers the SOA (asked before tcpdump runs: not captured).
    local i
    for ((i = 0; i < 50; i++)); do
        if in_ns timeout 3 dig +short +tries=1 +time=1 -p "$PORT" "@$SERVER" example. SOA 2>/dev/null |
            grep -q '^ns1\.example\. '; then
            return 0
        fi
        kill -0 "$NSD_PID" 2>/dev/null || die "nsd exited: $(cat "$WORK_DIR/nsd.log")"
        sleep 0.2
    done
    die "nsd does not answer on $SERVER@$PORT: $(cat "$WORK_DIR/nsd.log")"
}

start_capture() {
    local file=$1
    timeout 120 ip netns exec "$NS" tcpdump -Z root -n -U --immediate-mode -i lo -w "$file" \
        "udp port $PORT or tcp port $PORT" 2>"$WORK_DIR/tcpdump.log" &
    CAPTURE_PID=$!
    local i
    for ((i = 0; i < 50; i++)); do
        grep -q 'listening on' "$WORK_DIR/tcpdump.log" 2>/dev/null && return 0
        sleep 0.1
    done
    die "tcpdump did not start: $(cat "$WORK_DIR/tcpdump.log")"
}

stop_capture() {
    sleep 0.5 # the last segments of the TCP exchange
    kill -INT "$CAPTURE_PID" 2>/dev/null || true
    wait "$CAPTURE_PID" || true
    CAPTURE_PID=""
}

stop_nsd() {
    kill -TERM "$NSD_PID" 2>/dev/null || true
    wait "$NSD_PID" || true
    NSD_PID=""
}

# ask NAME TOOL ARGS: one question, its printout in $WORK_DIR/kat/NAME.txt.
ask() {
    local name=$1 tool=$2 args=$3
    local -a opts
    read -r -a opts <<<"$args"
    local -a tries
    if [[ $tool == dig ]]; then
        tries=(+tries=1 +time=3)
    else
        tries=(+retry=0 +time=3)
    fi
    # +qr prints the query too, unless the question asks for +noall +answer.
    local qr=+qr
    [[ " $args " == *" +noall "* ]] && qr=""
    in_ns timeout 10 "$tool" -p "$PORT" "@$SERVER" ${qr:+"$qr"} "${tries[@]}" "${opts[@]}" \
        >"$WORK_DIR/kat/$name.txt" 2>&1 || die "$name: $tool failed: $(cat "$WORK_DIR/kat/$name.txt")"
    log "asked $name: $tool ${opts[*]}"
}

versions() {
    printf 'date: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'kernel: %s\n' "$(uname -r)"
    printf 'nsd: %s\n' "$(nsd -v 2>&1 | head -n 1)"
    printf 'dig: %s\n' "$(dig -v 2>&1 | head -n 1)"
    printf 'kdig: %s\n' "$(kdig --version 2>&1 | head -n 1)"
    printf 'tcpdump: %s\n' "$(tcpdump --version 2>&1 | head -n 1)"
    printf 'libpcap: %s\n' "$(tcpdump --version 2>&1 | sed -n 2p)"
}

main() {
    [[ $EUID == 0 ]] || die "run as root (a network namespace)"
    ensure_tools
    WORK_DIR=$(mktemp -d /tmp/minternet-dns-capture.XXXXXX)
    chmod 0755 "$WORK_DIR"
    mkdir "$WORK_DIR/kat"
    make_namespace
    start_nsd
    local pcap=$WORK_DIR/kat/dns.pcap
    start_capture "$pcap"
    local q name tool args
    for q in "${QUERIES[@]}"; do
        IFS='|' read -r name tool args <<<"$q"
        ask "$name" "$tool" "$args"
    done
    stop_capture
    stop_nsd

    local udp tcp
    udp=$(tcpdump -n -r "$pcap" udp 2>/dev/null | wc -l)
    tcp=$(tcpdump -n -r "$pcap" tcp 2>/dev/null | wc -l)
    ((udp == 2 * UDP_QUERIES)) || die "$udp UDP packets, expected $((2 * UDP_QUERIES)) (a retry?)"
    ((tcp > 0)) || die "no TCP packets"
    versions >"$WORK_DIR/kat/versions.txt"

    mkdir -p "$OUT_DIR"
    rm -f "$OUT_DIR"/*.txt "$OUT_DIR"/dns.pcap
    cp "$WORK_DIR"/kat/*.txt "$pcap" "$OUT_DIR/"
    chmod 0644 "$OUT_DIR"/*
    log "wrote $OUT_DIR: $udp UDP and $tcp TCP packets, $(du -sb "$OUT_DIR" | cut -f1) bytes"
    cat "$OUT_DIR/versions.txt" >&2
}

main "$@"
