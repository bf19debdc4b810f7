#!/usr/bin/env bash
# Goodput over a TAP with the kernel as the peer, side by side in one run:
#
#   minternet -> kernel and kernel -> minternet, offloads on and off
#       `minternet live --send` / `--serve discard` (--offload on|off)
#   lwIP -> kernel and kernel -> lwIP
#       Debian's lwIP 2.1.3 driven by bench/lwip/lwip_tap.c (built by
#       scripts/bench-lwip.sh) on the same kind of TAP; it has no offloads
#   kernel -> kernel
#       over a veth pair between two namespaces
#
# Every transfer is one TCP connection carrying SIZE_MB MiB, MTU 1500, and
# the kernel's side is the same program for every peer: bench/live/
# kernel_peer.py (Debian's /usr/bin/python3), a discard server that reads to
# the end of the stream and a sender of the pattern `minternet live --send`
# sends; the figure is the one that program measures (handshake to end of
# stream), so every row is timed the same way. The stack under test runs on
# core 0, the kernel's program on core 1 (taskset). Each transfer gets a TAP
# made for it and removed after it. The rounds are interleaved (every row
# once, then again) REPEATS times; the table gives the median and each run.
#
# Then the integrity check, offloads on, SIZE_MB each way through the HTTP
# path, whose both ends hash what they carry: a file of random bytes served
# by `minternet live --serve http` and fetched by curl (hashed on the
# kernel's side by kernel_peer.py sha256), and the same file served by
# python3's http.server and fetched by `minternet live --get` (which prints
# its SHA-256); each must equal the file's. The script fails if either
# differs or a transfer comes up short.
#
# Everything happens in namespaces made here and removed on exit (no route
# to the machine's interfaces, nothing attached to them); every transfer is
# bounded by `timeout`. Needs root.
#
#   bench-live.sh MINTERNET_BINARY [SIZE_MB] [REPEATS]   (defaults 1024, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?usage: bench-live.sh MINTERNET_BINARY [SIZE_MB] [REPEATS]}
size_mb=${2:-1024}
repeats=${3:-3}

die() {
    echo "bench-live: $*" >&2
    exit 1
}

[[ $EUID == 0 ]] || die "needs root (namespaces, TAP, veth)"
[[ $size_mb =~ ^[1-9][0-9]*$ && $repeats =~ ^[1-9][0-9]*$ ]] || die "SIZE_MB and REPEATS are positive integers"
for tool in ip curl taskset timeout; do
    command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
# Debian's interpreter, whatever python3 comes first on PATH.
py=/usr/bin/python3
[[ -x $py ]] || die "$py is missing"
[[ -x $bin ]] || die "$bin is not an executable"
bin=$(realpath "$bin")
peer_py=$(realpath bench/live/kernel_peer.py)
lwip=$(./scripts/bench-lwip.sh) || die "building the lwIP harness failed"
lwip=$(realpath "$lwip")

ns="mnet-bench-$$"
peer="mnet-bpeer-$$"
dut="mtbd$$"
dut=${dut:0:15}
work=$(mktemp -d /tmp/minternet-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 0.3
    ./scripts/live-netns.sh down "$ns" >/dev/null 2>&1 || true
    if ip netns list | grep -qw "^$peer"; then
        for p in $(ip netns pids "$peer" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
        ip netns delete "$peer" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT
in_ns() { ip netns exec "$ns" "$@"; }

stack_core=0
kernel_core=1
bytes=$((size_mb * 1024 * 1024))
limit_s=$((60 + size_mb / 2)) # per transfer: ~17 Mbit/s at worst
# The stack under test is 10.0.1.2 on the TAP; the kernel is 10.0.1.1.
kernel_ip=10.0.1.1
stack_ip=10.0.1.2

# The namespace (loopback up, IPv6 off, no route out) with a first TAP that
# nothing uses; each transfer makes its own.
./scripts/live-netns.sh up "$ns" "mtbi$$" 10.0.0.1/24 >/dev/null

new_tap() {
    in_ns ip tuntap add dev "$dut" mode tap
    in_ns ip addr add "$kernel_ip/24" dev "$dut"
    in_ns ip link set "$dut" up
}
drop_tap() { in_ns ip link del "$dut" 2>/dev/null || true; }

# Waits up to SECONDS for FILE to contain TEXT.
wait_for() {
    local file=$1 text=$2 deadline=$((SECONDS + $3))
    until grep -qF -- "$text" "$file" 2>/dev/null; do
        ((SECONDS < deadline)) || return 1
        sleep 0.05
    done
}

# The Mbit/s kernel_peer.py measured, after checking it moved every byte.
goodput_of() {
    local report=$1 got
    got=$(sed -n 's/.*"bytes": \([0-9]*\).*/\1/p' "$report")
    [[ $got == "$bytes" ]] || {
        echo "bench-live: $(basename "$report"): ${got:-no} bytes of $bytes" >&2
        return 1
    }
    sed -n 's/.*"mbit_s": \([0-9.]*\).*/\1/p' "$report"
}

show_logs() {
    local f
    for f in "$@"; do
        [[ -s $f ]] || continue
        echo "--- $(basename "$f")" >&2
        tail -n 20 "$f" >&2
    done
}

# to_kernel LOG COMMAND...: the kernel's discard server takes one connection
# from the stack under test, which COMMAND runs on a fresh TAP; prints Mbit/s.
to_kernel() {
    local log=$1
    shift
    new_tap
    in_ns timeout "$limit_s" taskset -c "$kernel_core" "$py" "$peer_py" discard "$kernel_ip" 5001 \
        >"$log.kernel" 2>"$log.kernel.err" &
    local server=$!
    pids+=("$server")
    wait_for "$log.kernel.err" listening 10 || {
        show_logs "$log.kernel.err"
        die "the kernel's discard server did not start"
    }
    local ok=1
    in_ns timeout "$limit_s" taskset -c "$stack_core" "$@" >"$log.stack" 2>&1 || ok=0
    wait "$server" || ok=0
    drop_tap
    if ((ok == 0)); then
        show_logs "$log.stack" "$log.kernel" "$log.kernel.err"
        die "$(basename "$log"): the transfer failed"
    fi
    goodput_of "$log.kernel" || {
        show_logs "$log.stack"
        die "$(basename "$log"): short transfer"
    }
}

# from_kernel LOG READY COMMAND...: COMMAND runs the stack under test's
# discard server on port 9 of a fresh TAP; once its output shows READY the
# kernel's sender connects and sends; prints Mbit/s.
from_kernel() {
    local log=$1 ready=$2
    shift 2
    new_tap
    in_ns timeout "$limit_s" taskset -c "$stack_core" "$@" >"$log.stack" 2>&1 &
    local server=$!
    pids+=("$server")
    wait_for "$log.stack" "$ready" 10 || {
        show_logs "$log.stack"
        die "$(basename "$log"): the stack's server did not start"
    }
    local ok=1
    in_ns timeout "$limit_s" taskset -c "$kernel_core" "$py" "$peer_py" send "$stack_ip" 9 "$bytes" \
        >"$log.kernel" 2>&1 || ok=0
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" || true
    drop_tap
    if ((ok == 0)); then
        show_logs "$log.stack" "$log.kernel"
        die "$(basename "$log"): the transfer failed"
    fi
    goodput_of "$log.kernel" || {
        show_logs "$log.stack"
        die "$(basename "$log"): short transfer"
    }
}

# kernel -> kernel over a veth pair: $ns to a second namespace.
ip netns add "$peer"
ip -n "$peer" link set lo up
in_ns ip link add vb0 type veth peer name vb1 netns "$peer"
in_ns ip addr add 10.0.2.1/24 dev vb0
in_ns ip link set vb0 up
ip -n "$peer" addr add 10.0.2.2/24 dev vb1
ip -n "$peer" link set vb1 up
veth() {
    local log=$1
    ip netns exec "$peer" timeout "$limit_s" taskset -c "$stack_core" "$py" "$peer_py" discard 10.0.2.2 5001 \
        >"$log.kernel" 2>"$log.kernel.err" &
    local server=$!
    pids+=("$server")
    wait_for "$log.kernel.err" listening 10 || die "the veth discard server did not start"
    local ok=1
    in_ns timeout "$limit_s" taskset -c "$kernel_core" "$py" "$peer_py" send 10.0.2.2 5001 "$bytes" \
        >"$log.sender" 2>&1 || ok=0
    wait "$server" || ok=0
    ((ok == 1)) || {
        show_logs "$log.sender" "$log.kernel.err"
        die "veth: the transfer failed"
    }
    goodput_of "$log.kernel"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
rows=(ours_out_on ours_in_on ours_out_off ours_in_off lwip_out lwip_in veth)
declare -A runs
for r in $(seq 1 "$repeats"); do
    echo "bench-live: round $r of $repeats ($size_mb MiB per transfer)" >&2
    for off in on off; do
        runs[ours_out_$off]+="$(to_kernel "$work/ours_out_$off.$r" "$bin" live --tap "$dut" \
            --address "$stack_ip/24" --offload "$off" --send "$kernel_ip:5001" --bytes "$bytes") "
        runs[ours_in_$off]+="$(from_kernel "$work/ours_in_$off.$r" "listening on TCP port 9" "$bin" \
            live --tap "$dut" --address "$stack_ip/24" --offload "$off" --serve discard:9) "
    done
    runs[lwip_out]+="$(to_kernel "$work/lwip_out.$r" "$lwip" --tap "$dut" --address "$stack_ip/24" \
        --send "$kernel_ip:5001" --bytes "$bytes") "
    runs[lwip_in]+="$(from_kernel "$work/lwip_in.$r" "discard on TCP port 9" "$lwip" --tap "$dut" \
        --address "$stack_ip/24" --serve-discard 9) "
    runs[veth]+="$(veth "$work/veth.$r") "
done

median() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) printf "%.0f", v[(NR + 1) / 2]; else printf "%.0f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
each() { tr ' ' '\n' <<<"$1" | sed '/^$/d' | awk '{ printf "%s%.0f", (NR > 1 ? " / " : ""), $1 }'; }
declare -A med
for row in "${rows[@]}"; do med[$row]=$(median "${runs[$row]}"); done

label() {
    case $1 in
    ours_out_on) echo "minternet -> kernel, offloads on" ;;
    ours_in_on) echo "kernel -> minternet, offloads on" ;;
    ours_out_off) echo "minternet -> kernel, offloads off" ;;
    ours_in_off) echo "kernel -> minternet, offloads off" ;;
    lwip_out) echo "lwIP -> kernel (no offloads)" ;;
    lwip_in) echo "kernel -> lwIP (no offloads)" ;;
    veth) echo "kernel -> kernel (veth)" ;;
    esac
}
printf '\nGoodput, %d MiB per transfer, one TCP connection, MTU 1500; median of %d (each run):\n' \
    "$size_mb" "$repeats"
printf '(load average before %s, after %s: others running on these two cores skew it)\n' \
    "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
for row in "${rows[@]}"; do
    printf '  %-36s %8s Mbit/s   (%s)\n' "$(label "$row")" "${med[$row]}" "$(each "${runs[$row]}")"
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t ? "met" : "NOT met") }'; }
printf '\nminternet / lwIP (medians) against the targets (offloads on >= 2x, off >= 1x):\n'
for dir in out in; do
    name=$([[ $dir == out ]] && echo "stack -> kernel" || echo "kernel -> stack")
    on=$(ratio "${med[ours_${dir}_on]}" "${med[lwip_$dir]}")
    off=$(ratio "${med[ours_${dir}_off]}" "${med[lwip_$dir]}")
    printf '  %-16s offloads on %5sx (%s)   offloads off %5sx (%s)\n' "$name" "$on" \
        "$(verdict "$on" 2)" "$off" "$(verdict "$off" 1)"
done

# Integrity, offloads on: random bytes both ways through the HTTP path.
echo "bench-live: integrity check, $size_mb MiB each way (random bytes)" >&2
mkdir -p "$work/www"
head -c "${size_mb}M" /dev/urandom >"$work/www/random.bin"
read -r _ want < <("$py" "$peer_py" sha256 <"$work/www/random.bin")

new_tap
in_ns timeout "$limit_s" "$bin" live --tap "$dut" --address "$stack_ip/24" \
    --serve "http:80=$work/www" >"$work/http_out.stack" 2>&1 &
server=$!
pids+=("$server")
wait_for "$work/http_out.stack" "listening on port 80" 10 || {
    show_logs "$work/http_out.stack"
    die "minternet's HTTP server did not start"
}
read -r got_out sha_out < <(in_ns timeout "$limit_s" curl -sS "http://$stack_ip/random.bin" |
    "$py" "$peer_py" sha256)
kill -TERM "$server" 2>/dev/null || true
wait "$server" || true
drop_tap

new_tap
(cd "$work/www" && exec ip netns exec "$ns" timeout "$limit_s" "$py" -m http.server 8000 \
    --bind "$kernel_ip") >"$work/http_in.kernel" 2>&1 &
server=$!
pids+=("$server")
for _ in $(seq 1 100); do in_ns curl -s -o /dev/null "http://$kernel_ip:8000/" && break; sleep 0.1; done
in_ns timeout "$limit_s" "$bin" live --tap "$dut" --address "$stack_ip/24" \
    --get "http://$kernel_ip:8000/random.bin" >"$work/http_in.stack" 2>&1 || true
sha_in=$(sed -n "s/.*: $bytes bytes, sha256 \([0-9a-f]*\),.*/\1/p" "$work/http_in.stack")
kill -TERM "$server" 2>/dev/null || true
wait "$server" || true
drop_tap

printf '\nIntegrity, offloads on, %d MiB of random bytes each way (SHA-256 %s):\n' "$size_mb" "${want:0:16}…"
status=0
if [[ $got_out == "$bytes" && $sha_out == "$want" ]]; then
    printf '  minternet -> kernel (--serve http, curl)         equal\n'
else
    printf '  minternet -> kernel (--serve http, curl)         DIFFERENT: %s bytes, %s\n' \
        "${got_out:-0}" "${sha_out:-none}"
    show_logs "$work/http_out.stack"
    status=1
fi
if [[ $sha_in == "$want" ]]; then
    printf '  kernel -> minternet (http.server, --get)         equal\n'
else
    printf '  kernel -> minternet (http.server, --get)         DIFFERENT: %s\n' "${sha_in:-no hash}"
    show_logs "$work/http_in.stack"
    status=1
fi
exit "$status"
