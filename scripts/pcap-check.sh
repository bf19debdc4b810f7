#!/usr/bin/env bash
# Checks a capture with tshark, checksum validation on for IP, TCP, UDP, ICMP
# and ICMPv6.
#
#   pcap-check.sh FILE [--frames N] [--bad N]
#
# Counts frames, frames tshark marks malformed, and frames with a bad checksum
# at any layer. Fails unless no frame is malformed and the number of bad ones is
# exactly --bad (default 0); with --frames, also unless the file has N frames.
# A test that corrupts frames on purpose passes --bad to prove tshark sees them.
set -euo pipefail

file=$1
shift
want_frames=""
want_bad=0
while (($#)); do
    case $1 in
        --frames) want_frames=$2; shift 2 ;;
        --bad) want_bad=$2; shift 2 ;;
        *) echo "pcap-check: unknown argument '$1'" >&2; exit 2 ;;
    esac
done

[[ -s "$file" ]] || { echo "pcap-check: $file is missing or empty" >&2; exit 1; }

prefs=(-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)
count() { tshark -n -r "$file" "${prefs[@]}" -Y "$1" 2>/dev/null | wc -l; }

frames=$(count "frame")
malformed=$(count "_ws.malformed")
# A TCP checksum of 0xffff where the sum gives 0x0000 is the same number in
# ones' complement and verifies (RFC 1624 §3); Linux writes it whenever it
# completes a partial checksum that comes to 0 (skb_checksum_help's
# CSUM_MANGLED_0), one segment in 65,536. Wireshark marks it, and it is not
# counted as bad here.
bad_filter="ip.checksum.status == 0 || (tcp.checksum.status == 0 && !tcp.checksum.ffff) || udp.checksum.status == 0 || icmp.checksum.status == 0 || icmpv6.checksum.status == 0"
bad=$(count "$bad_filter")

echo "pcap-check: $file: $frames frames, $malformed malformed, $bad with a bad checksum"
status=0
if [[ -n "$want_frames" && "$frames" -ne "$want_frames" ]]; then
    echo "pcap-check: expected $want_frames frames" >&2
    status=1
fi
if ((malformed != 0)); then
    echo "pcap-check: malformed frames:" >&2
    tshark -n -r "$file" "${prefs[@]}" -Y "_ws.malformed" >&2 || true
    status=1
fi
if ((bad != want_bad)); then
    echo "pcap-check: expected $want_bad frames with a bad checksum" >&2
    tshark -n -r "$file" "${prefs[@]}" -Y "$bad_filter" >&2 || true
    status=1
fi
exit $status
