#!/usr/bin/env bash
# Flow statistics through `minternet run` (docs/run.md, "Flow statistics"):
#   - a 4-flow dumbbell's goodputs add up to the bottleneck's capacity for
#     data (100 Mbit/s × 1448/1514: each full frame carries 1448 bytes of
#     data in 1514) within 5 %, and Jain's index is reported;
#   - udp-cbr across a lossy link: the losses in flows.csv are the link's
#     drops (counted from the event log) and what was sent less what arrived;
#   - tcp-bulk both ways: the row goes from the end that sent the data;
#   - the same seed gives the same flows.csv, byte for byte.
#
#   flows_test.sh MINTERNET_BINARY
set -euo pipefail
bin=${1:?usage: flows_test.sh MINTERNET_BINARY}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3

fail() {
    echo "flows_test: $*" >&2
    exit 1
}

# 1. Dumbbell, 4 TCP flows for 10 s, nothing traced.
"$bin" topology dumbbell --flows 4 --duration 10s >"$work/db.yaml"
"$bin" run "$work/db.yaml" --trace none --out "$work/db" >"$work/db.out"
[[ -s "$work/db/flows.csv" && -s "$work/db/flows.json" ]] || fail "no flows.csv/flows.json"
[[ ! -e "$work/db/events.jsonl" && ! -e "$work/db/pcap" && ! -e "$work/db/report.html" ]] ||
    fail "--trace none wrote more than the flow statistics"
"$py" - "$work/db/flows.csv" "$work/db/flows.json" <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
for column in ("protocol", "source", "destination", "bytes_delivered", "goodput_bit_s",
               "rtt_mean_ms", "retransmissions", "lost"):
    assert column in rows[0], f"flows.csv has no column {column}"
tcp = [r for r in rows if r["protocol"] == "TCP"]
assert len(tcp) == 4, f"4 TCP flows expected, got {len(tcp)}"
total = sum(float(r["goodput_bit_s"]) for r in tcp)
capacity = 100e6 * 1448 / 1514
assert abs(total - capacity) <= 0.05 * capacity, f"aggregate {total:.0f} bit/s vs {capacity:.0f}"
for r in tcp:
    assert r["source"].startswith("10."), r
    assert float(r["rtt_min_ms"]) >= 24.0, f"the path's RTT is at least 24 ms: {r}"
data = json.load(open(sys.argv[2]))
assert 0.5 < data["jain_index"] <= 1.0, data["jain_index"]
# flows.csv prints each goodput to the bit/s: the sum may be off by one per row.
assert abs(data["aggregate_goodput_bit_s"] - total) <= len(tcp), "flows.json and flows.csv disagree"
print(f"dumbbell: {total / 1e6:.2f} Mbit/s of {capacity / 1e6:.2f}, Jain {data['jain_index']:.3f}")
PY
grep -q "Jain's fairness index" "$work/db.out" || fail "the run does not report Jain's index"

# 2. The same seed, the same statistics.
"$bin" run "$work/db.yaml" --trace none --out "$work/db2" >/dev/null
cmp -s "$work/db/flows.csv" "$work/db2/flows.csv" || fail "same seed, different flows.csv"

# 3. udp-cbr over a link that loses 3 % of frames; the event log counts drops.
cat >"$work/udp.yaml" <<'YAML'
name: udp-loss
seed: 4
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], bandwidth: 100Mbit, delay: 5ms, loss: 3%}
apps:
  - {node: a, run: ping, to: b, count: 1}
  - {node: b, run: udp-sink, port: 5002}
  - {node: a, run: udp-cbr, at: 2s, to: b, port: 5002, rate: 8Mbit, size: 1000, duration: 3s}
YAML
"$bin" run "$work/udp.yaml" --quiet --events on --capture none --report none --out "$work/udp" \
    >/dev/null
"$py" - "$work/udp/flows.csv" "$work/udp/events.jsonl" <<'PY'
import csv, json, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["protocol"] == "UDP"]
assert len(rows) == 1, rows
r = rows[0]
drops = 0
for line in open(sys.argv[2]):
    e = json.loads(line)
    if e["event"] == "drop" and "link" in e and e.get("proto") == "UDP" and e.get("dport") == 5002:
        drops += 1
sent, delivered, lost = int(r["packets_sent"]), int(r["packets_delivered"]), int(r["lost"])
assert sent == 3000, f"8 Mbit/s × 3 s of 1000-byte datagrams is 3000, not {sent}"
assert lost == drops, f"flows.csv says {lost} lost, the link dropped {drops}"
assert lost == sent - delivered, f"{sent} sent, {delivered} delivered, {lost} lost"
assert 40 < lost < 150, f"3 % of 3000 is about 90; {lost} lost"
print(f"udp-cbr: {sent} sent, {delivered} delivered, {lost} lost = link drops")
PY

# 4. tcp-bulk both ways: 2 MB from the client, 3 MB from the sink.
cat >"$work/bulk.yaml" <<'YAML'
name: bulk-both-ways
hosts: {a: {}, b: {}}
links:
  - {ends: [a, b], addresses: [10.0.0.1/24, 10.0.0.2/24], bandwidth: 50Mbit, delay: 2ms}
apps:
  - {node: b, run: tcp-sink, port: 5001}
  - {node: a, run: tcp-bulk, to: b, port: 5001, bytes: 2MB}
  - {node: a, run: tcp-bulk, to: b, port: 5001, bytes: 3MB, reverse: true}
YAML
"$bin" run "$work/bulk.yaml" --trace none --out "$work/bulk" >/dev/null
"$py" - "$work/bulk/flows.csv" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["protocol"] == "TCP"]
assert len(rows) == 2, rows
forward = [r for r in rows if r["source"].startswith("10.0.0.1:")]
reverse = [r for r in rows if r["source"] == "10.0.0.2:5001"]
assert len(forward) == 1 and len(reverse) == 1, rows
# The client's 16-byte request header is data too (docs/topology.md, tcp-bulk).
assert int(forward[0]["bytes_delivered"]) == 2_000_000 + 16, forward
assert int(reverse[0]["bytes_delivered"]) == 3_000_000, reverse
assert int(reverse[0]["reverse_bytes_delivered"]) == 16, reverse
print("tcp-bulk: 2 MB forward, 3 MB back, each row from its sender")
PY
echo "flows_test: all checks passed"
