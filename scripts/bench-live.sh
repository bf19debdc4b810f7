#!/usr/bin/env bash
# Goodput over a TAP, with the kernel as the peer, next to the kernel talking
# to itself over a veth pair, in one run and with the same programs:
#
#   minternet -> kernel  curl GETs SIZE from `minternet live --serve http`
#   kernel -> minternet  `minternet live --get` fetches SIZE from python3's
#                        http.server
#   kernel -> kernel     curl GETs SIZE from python3's http.server across a
#                        veth pair between two namespaces
#
# Everything happens in namespaces made here and removed at the end (no route
# to the machine's interfaces); each transfer is bounded in time. Needs root.
#
#   bench-live.sh MINTERNET_BINARY [SIZE_MB]   (default 1024: 1 GiB)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: bench-live.sh MINTERNET_BINARY [SIZE_MB]}
size_mb=${2:-1024}
[[ $EUID == 0 ]] || { echo "bench-live: needs root (namespaces, TAP, veth)" >&2; exit 1; }
for tool in ip curl; do
    command -v "$tool" >/dev/null || { echo "bench-live: $tool is not installed (make deps)" >&2; exit 1; }
done

ns="mnet-bench-$$"
peer="mnet-bpeer-$$"
tap="mtapb$$"
tap=${tap:0:15}
work=$(mktemp -d /tmp/minternet-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.3
    ./scripts/live-netns.sh down "$ns" >/dev/null 2>&1 || true
    ip netns delete "$peer" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
in_ns() { ip netns exec "$ns" "$@"; }

# The file: sparse, so making it costs nothing; reads of it come from memory.
mkdir -p "$work/www"
truncate -s "${size_mb}M" "$work/www/file.bin"
bytes=$((size_mb * 1024 * 1024))
timeout_s=$((60 + size_mb / 2))

./scripts/live-netns.sh up "$ns" "$tap" 10.0.0.1/24 >/dev/null
ip netns exec "$ns" timeout "$((timeout_s * 3))" "$bin" live --tap "$tap" --address 10.0.0.2/24 \
    --serve "http:80=$work/www" >"$work/live.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do in_ns ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1 && break; sleep 0.2; done

mbit() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b * 8 / s / 1e6 }'; }

# minternet -> kernel.
read -r got secs < <(in_ns timeout "$timeout_s" curl -sS -o /dev/null \
    -w '%{size_download} %{time_total}\n' http://10.0.0.2/file.bin)
[[ $got == "$bytes" ]] || { echo "bench-live: curl got $got of $bytes bytes" >&2; exit 1; }
ours_to_kernel=$(mbit "$bytes" "$secs")

# kernel -> minternet: a second TAP for our client, python3's server on the kernel side.
in_ns ip tuntap add dev "${tap:0:11}c" mode tap
in_ns ip addr add 10.0.1.1/24 dev "${tap:0:11}c"
in_ns ip link set "${tap:0:11}c" up
(cd "$work/www" && exec ip netns exec "$ns" timeout "$((timeout_s * 3))" /usr/bin/python3 -m http.server 8001 \
    --bind 10.0.1.1) >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do in_ns curl -s -o /dev/null http://10.0.1.1:8001/ && break; sleep 0.1; done
out=$(in_ns timeout "$timeout_s" "$bin" live --tap "${tap:0:11}c" --address 10.0.1.2/24 \
    --get "http://10.0.1.1:8001/file.bin" 2>&1)
secs=$(sed -n "s/.*: $bytes bytes, sha256 [0-9a-f]*, \([0-9.]*\) s,.*/\1/p" <<<"$out")
[[ -n $secs ]] || { echo "bench-live: our client failed: $out" >&2; exit 1; }
kernel_to_ours=$(mbit "$bytes" "$secs")

# kernel -> kernel over a veth pair, the same server and client programs.
ip netns add "$peer"
ip -n "$peer" link set lo up
in_ns ip link add vb0 type veth peer name vb1 netns "$peer"
in_ns ip addr add 10.0.2.1/24 dev vb0
in_ns ip link set vb0 up
ip -n "$peer" addr add 10.0.2.2/24 dev vb1
ip -n "$peer" link set vb1 up
(cd "$work/www" && exec ip netns exec "$ns" timeout "$((timeout_s * 3))" /usr/bin/python3 -m http.server 8002 \
    --bind 10.0.2.1) >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do ip netns exec "$peer" curl -s -o /dev/null http://10.0.2.1:8002/ && break; sleep 0.1; done
read -r got secs < <(ip netns exec "$peer" timeout "$timeout_s" curl -sS -o /dev/null \
    -w '%{size_download} %{time_total}\n' http://10.0.2.1:8002/file.bin)
[[ $got == "$bytes" ]] || { echo "bench-live: veth curl got $got of $bytes bytes" >&2; exit 1; }
kernel_to_kernel=$(mbit "$bytes" "$secs")

printf '\nGoodput, %d MiB each, one TCP connection (HTTP/1.1):\n' "$size_mb"
printf '  %-44s %8s Mbit/s\n' "minternet -> kernel (TAP; curl from live)" "$ours_to_kernel"
printf '  %-44s %8s Mbit/s\n' "kernel -> minternet (TAP; live --get)" "$kernel_to_ours"
printf '  %-44s %8s Mbit/s\n' "kernel -> kernel (veth; curl from python3)" "$kernel_to_kernel"
