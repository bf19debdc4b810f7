#!/usr/bin/env bash
# The simulator as an experiment engine, side by side with ns-3 in one run on
# this machine (docs/benchmarks.md, "The simulator against ns-3"):
#
#   1. the textbook dumbbell — 16 TCP flows; leaves 1 Gbit/s, 1 ms; bottleneck
#      100 Mbit/s, 10 ms; 100-packet queues; 10 s — in ns-3 3.37 (NewReno,
#      1448-byte segments, no tracing; bench/ns3) and in minternet with tracing
#      off and with everything on: wall and CPU time, events, peak memory,
#      aggregate goodput, and the ratios;
#   2. 100,000 hosts and 1,016 routers (`minternet topology tree`): loading,
#      routing and starting, then 10 s of 10,000 TCP flows and 1,000 pings;
#   3. 1,000,000 idle TCP connections in one simulation: bytes per connection.
#
#   bench-sim.sh MINTERNET_BINARY BENCH_BINARY [REPEATS]
#
# SIM_BENCH_SKIP_SCALE=1 runs the dumbbell only; SIM_BENCH_SKIP_DUMBBELL=1 the
# rest only.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(realpath "${1:?usage: bench-sim.sh MINTERNET_BINARY BENCH_BINARY [REPEATS]}")
bench=$(realpath "${2:?usage: bench-sim.sh MINTERNET_BINARY BENCH_BINARY [REPEATS]}")
reps=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3

# Builds the ns-3 harness (and installs ns-3) once; prints its JSON.
scripts/bench-ns3.sh --flows 16 --duration 10 >/dev/null
ns3=build/ns3/dumbbell

# measure NAME COMMAND...: one line of JSON with wall and CPU seconds and
# peak memory, the command's stdout kept in $work/NAME.out. The command must
# exit 0, or 1 with MAY_END_EARLY=1 (`minternet run --duration` stopping
# applications that were not done: what a fixed-length run does).
measure() {
    local name=$1
    shift
    local status=0 started
    # GNU time gives wall time to 10 ms, a sixteenth of a tracing-off run:
    # the wall clock is also read here, to the nanosecond.
    started=$(date +%s%N)
    /usr/bin/time -f '{"wall_s": %e, "cpu_s": %U, "sys_s": %S, "max_rss_kib": %M}' \
        -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || status=$?
    echo $(($(date +%s%N) - started)) >"$work/$name.wall_ns"
    if ((status != 0)) && ! ((status == 1 && ${MAY_END_EARLY:-0} == 1)); then
        echo "bench-sim: $name failed (exit $status): $(tail -3 "$work/$name.err")" >&2
        exit 1
    fi
}

# NewReno on both sides: ns-3 runs TcpNewReno (bench/ns3/README.md).
"$bin" topology dumbbell --flows 16 --duration 10s --congestion newreno --name dumbbell \
    >"$work/dumbbell.yaml"
if [[ ${SIM_BENCH_SKIP_DUMBBELL:-0} != 1 ]]; then
    for ((i = 1; i <= reps; ++i)); do
        measure "ns3-$i" "$ns3" --flows 16 --duration 10
        measure "off-$i" "$bin" run "$work/dumbbell.yaml" --trace none --out "$work/off-$i"
        measure "on-$i" "$bin" run "$work/dumbbell.yaml" --trace all --quiet --out "$work/on-$i"
        # The traced run leaves about 1 GB of captures, events and report:
        # keep its flows, drop the rest and flush, so that writing it back
        # to disk does not run under the next measurement.
        mv "$work/on-$i/flows.json" "$work/on-$i.flows.json"
        rm -rf "$work/on-$i"
        sync
    done

"$py" - "$work" "$reps" <<'PY'
import json, re, statistics, sys
work, reps = sys.argv[1], int(sys.argv[2])
def timing(path):  # GNU time's JSON line, after its "exited with non-zero status" line if any
    return json.loads(open(path).read().strip().splitlines()[-1])
def load(name):
    t = timing(f"{work}/{name}.time")
    t["wall_s"] = int(open(f"{work}/{name}.wall_ns").read()) / 1e9
    out = open(f"{work}/{name}.out").read()
    if name.startswith("ns3"):
        j = json.loads(out)
        t["events"] = j["events"]
        t["goodput"] = j["aggregate_goodput_bit_s"]
        t["jain"] = j["jain_fairness"]
    else:
        t["events"] = int(re.search(r"([0-9]+) events", out).group(1))
        flows = f"{work}/{name}.flows.json" if name.startswith("on") else f"{work}/{name}/flows.json"
        f = json.load(open(flows))
        t["goodput"] = f["aggregate_goodput_bit_s"]
        t["jain"] = f["jain_index"]
    return t
rows = {}
for kind in ("ns3", "off", "on"):
    runs = [load(f"{kind}-{i}") for i in range(1, reps + 1)]
    rows[kind] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    rows[kind]["cpu_all"] = [r["cpu_s"] + r["sys_s"] for r in runs]
names = {"ns3": "ns-3 3.37, no tracing", "off": "minternet, tracing off",
         "on": "minternet, everything on"}
print(f"Dumbbell, 16 flows, 10 s (median of {reps}):")
print("| run | wall s | CPU s | events | peak MiB | goodput Mbit/s | Jain | wall vs ns-3 | CPU vs ns-3 |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
ns3_cpu = rows["ns3"]["cpu_s"] + rows["ns3"]["sys_s"]
ns3_wall = rows["ns3"]["wall_s"]
def versus(ratio):
    return f"{ratio:.1f}× {'faster' if ratio >= 1 else 'slower'}"
for kind, r in rows.items():
    cpu = r["cpu_s"] + r["sys_s"]
    print(f"| {names[kind]} | {r['wall_s']:.3f} | {cpu:.2f} | {r['events']:,.0f} | "
          f"{r['max_rss_kib'] / 1024:.0f} | {r['goodput'] / 1e6:.2f} | {r['jain']:.3f} | "
          f"{versus(ns3_wall / r['wall_s'])} | {versus(ns3_cpu / cpu)} |")
off, on = rows["off"], rows["on"]
print(f"goodput: minternet {off['goodput'] / 1e6:.2f} vs ns-3 {rows['ns3']['goodput'] / 1e6:.2f} Mbit/s "
      f"({(off['goodput'] / rows['ns3']['goodput'] - 1) * 100:+.1f} %)")
PY
fi

[[ ${SIM_BENCH_SKIP_SCALE:-0} == 1 ]] && exit 0

# 100,000 hosts: loading and starting, then 10 s of traffic.
"$bin" topology tree --routers 1000 --hosts-per-router 100 --app tcp --flows 10000 \
    --duration 10s --host-rate 1Mbit --name tree100k >"$work/tree.yaml"
"$bin" topology tree --routers 1000 --hosts-per-router 100 --app ping --flows 1000 \
    --duration 10s --seed 2 | sed -n '/^apps:/,$p' | tail -n +2 >>"$work/tree.yaml"
MAY_END_EARLY=1 measure load "$bin" run "$work/tree.yaml" --trace none --duration 0.000001 --out "$work/load"
MAY_END_EARLY=1 measure tree "$bin" run "$work/tree.yaml" --trace none --duration 10 --out "$work/tree"
"$py" - "$work" <<'PY'
import json, re, sys
work = sys.argv[1]
def timing(path):  # GNU time's JSON line, after its "exited with non-zero status" line if any
    return json.loads(open(path).read().strip().splitlines()[-1])
load = timing(f"{work}/load.time")
tree = timing(f"{work}/tree.time")
out = open(f"{work}/tree.out").read()
events = int(re.search(r"([0-9]+) events", out).group(1))
flows = json.load(open(f"{work}/tree/flows.json"))
tcp = [f for f in flows["flows"] if f["protocol"] == "TCP"]
print("100,000 hosts, 1,016 routers, 101,120 links:")
print(f"  load, check, route and start: {load['wall_s']:.1f} s wall, {load['max_rss_kib'] / 1024:.0f} MiB peak")
print(f"  10 s of 10,000 TCP flows (1 Mbit/s host links) and 1,000 pings: {tree['wall_s']:.1f} s wall "
      f"({tree['cpu_s'] + tree['sys_s']:.1f} s CPU), {events:,} events, {tree['max_rss_kib'] / 1024:.0f} MiB peak; "
      f"{(tree['wall_s'] - load['wall_s']) / 10:.2f} s of wall time per simulated second")
print(f"  TCP flows delivering: {sum(1 for f in tcp if f['bytes_delivered'] > 0)} of {len(tcp)}, "
      f"aggregate goodput {flows['aggregate_goodput_bit_s'] / 1e9:.2f} Gbit/s")
PY

# 1,000,000 idle connections.
"$bench" --benchmark_filter='BM_TcpIdleConnectionMemory/1000000' --benchmark_counters_tabular=true |
    tail -n 3
