#!/usr/bin/env bash
# tshark judges frames written by our encoders: every good frame is well formed
# with correct checksums, and every deliberately damaged copy is flagged (which
# proves the check can fail).
#   tshark_samples.sh SAMPLES_BINARY OUT_DIR [NAME]
# The binary writes NAME.pcap and NAME_corrupt.pcap (NAME: wire_samples) and
# prints "good=N corrupt=M".
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=$1
out=$2
name=${3:-wire_samples}
mkdir -p "$out"
counts=$("$bin" "$out/$name.pcap" "$out/${name}_corrupt.pcap")
good=$(sed -E 's/.*good=([0-9]+).*/\1/' <<<"$counts")
corrupt=$(sed -E 's/.*corrupt=([0-9]+).*/\1/' <<<"$counts")
((good >= 40 && corrupt >= 5)) || { echo "too few samples: $counts" >&2; exit 1; }
"$here/scripts/pcap-check.sh" "$out/$name.pcap" --frames "$good" --bad 0
"$here/scripts/pcap-check.sh" "$out/${name}_corrupt.pcap" --frames "$corrupt" --bad "$corrupt"
