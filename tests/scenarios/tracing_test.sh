#!/usr/bin/env bash
# Tracing on demand (docs/topology.md, "Tracing"):
#   - bad choices are errors that name what and where, exit status 2:
#     --capture nosuchnode, --capture NODE:nosuchiface, --capture-format,
#     --trace, an unknown key under trace: (at its line and column);
#   - --capture NODE into one pcapng file: only that node's interfaces, which
#     tshark reads, and `minternet explain` lists the packets from it;
#   - a trace: section turns things off, and the command line wins over it;
#   - a large topology (10,000 hosts) records nothing unasked, says so, and
#     still writes the flow statistics.
#
#   tracing_test.sh MINTERNET_BINARY
set -euo pipefail
bin=${1:?usage: tracing_test.sh MINTERNET_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(cd "$(dirname "$0")/../.." && pwd)
example=$root/examples/two-routers.yaml

fail() {
    echo "tracing_test: $*" >&2
    exit 1
}

# expect_error WANT ARGS...: exit status 2 and WANT on stderr.
expect_error() {
    local want=$1
    shift
    local status=0
    "$bin" "$@" >"$work/out" 2>"$work/err" || status=$?
    [[ $status -eq 2 ]] || fail "$* exited $status, not 2"
    grep -qF -- "$want" "$work/err" || fail "$*: stderr lacks '$want': $(cat "$work/err")"
}

expect_error "--capture: no node 'nosuchnode'" run "$example" --capture nosuchnode --out "$work/x"
expect_error "has no interface 'eth9'" run "$example" --capture r1:eth9 --out "$work/x"
expect_error "'pcap3' is not a capture format" run "$example" --capture-format pcap3 --out "$work/x"
expect_error "--trace: 'some' is all or none" run "$example" --trace some --out "$work/x"
sed 's/^name: two-routers$/name: two-routers\ntrace:\n  capture: none\n  event: none/' \
    "$example" >"$work/bad-trace.yaml"
grep -q "^  event: none" "$work/bad-trace.yaml" || fail "could not write the bad trace: file"
expect_error "unknown key 'event' in trace" run "$work/bad-trace.yaml" --out "$work/x"
grep -q "bad-trace.yaml:[0-9]*:[0-9]*: unknown key 'event' in trace" "$work/err" ||
    fail "the error does not give the file, line and column: $(cat "$work/err")"

# One node's interfaces in one pcapng file.
"$bin" run "$example" --capture r1 --capture-format pcapng --events none --report none \
    --out "$work/ng" >/dev/null
[[ -s "$work/ng/capture.pcapng" ]] || fail "no capture.pcapng"
[[ ! -e "$work/ng/events.jsonl" && ! -e "$work/ng/report.html" ]] || fail "--events none, --report none wrote them"
tshark -r "$work/ng/capture.pcapng" -T fields -e frame.interface_name 2>/dev/null |
    sort -u >"$work/ifaces"
[[ "$(cat "$work/ifaces")" == $'r1-eth0\nr1-eth1' ]] ||
    fail "the pcapng should hold r1's two interfaces, holds: $(tr '\n' ' ' <"$work/ifaces")"
tshark -r "$work/ng/capture.pcapng" -Y "icmp.type == 8" 2>/dev/null | grep -q . ||
    fail "tshark finds no echo request in the pcapng"
"$bin" explain "$work/ng" >"$work/explain" || fail "explain cannot read the pcapng"
grep -q "^#1 .* r1 " "$work/explain" || fail "explain lists no packet of r1: $(head -3 "$work/explain")"
"$bin" explain "$work/ng" 1 | grep -q "Ethernet II" || fail "explain cannot show a packet"

# A trace: section, and the command line over it.
sed 's/^name: two-routers$/name: two-routers\ntrace: {capture: none, events: none, report: none}/' \
    "$example" >"$work/quiet.yaml"
"$bin" run "$work/quiet.yaml" --out "$work/q" >/dev/null
[[ ! -e "$work/q/pcap" && ! -e "$work/q/events.jsonl" && ! -e "$work/q/report.html" ]] ||
    fail "trace: none still wrote: $(ls "$work/q")"
[[ -s "$work/q/flows.csv" ]] || fail "the flow statistics are written whatever is off"
"$bin" run "$work/quiet.yaml" --events on --out "$work/q2" >/dev/null
[[ -s "$work/q2/events.jsonl" && ! -e "$work/q2/pcap" ]] || fail "--events on should win over trace:"

# 10,000 hosts: nothing recorded unasked, and the run says so.
"$bin" topology tree --routers 100 --hosts-per-router 100 --app tcp --flows 20 --bytes 200KB \
    >"$work/tree.yaml"
"$bin" run "$work/tree.yaml" --out "$work/tree" >"$work/tree.out"
grep -q "tracing is off for a topology this large" "$work/tree.out" || fail "no word on tracing"
[[ "$(ls "$work/tree")" == $'flows.csv\nflows.json' ]] ||
    fail "a large run wrote more than the flows: $(ls "$work/tree")"
/usr/bin/python3 - "$work/tree/flows.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["protocol"] == "TCP"]
assert len(rows) == 20, f"20 flows, not {len(rows)}"
for r in rows:
    assert int(r["bytes_delivered"]) == 200_000 + 16, r
print("10,000 hosts: 20 flows of 200 KB, each delivered")
PY
echo "tracing_test: all checks passed"
