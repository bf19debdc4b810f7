#!/usr/bin/env bash
# The main job: `minternet run` with no file runs the seeds' scenario and tells
# it as a timeline. Checks that the story is all there and in order, that the
# same seed prints the same timeline, that --json and --quiet do what they
# say, and that a broken scenario is reported at its place.
#
#   main_job_test.sh MINTERNET_BINARY
set -uo pipefail

bin=$(realpath "${1:?usage: main_job_test.sh MINTERNET_BINARY}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failed=0
fail() {
    echo "main_job_test: FAIL: $*" >&2
    failed=1
}

"$bin" run >first.txt 2>&1 || fail "minternet run exited $?"
cp out/seeds/report.html first-report.html 2>/dev/null || fail "the run wrote no out/seeds/report.html"
"$bin" run >second.txt 2>&1 || fail "the second minternet run exited $?"
cmp -s first.txt second.txt || fail "the same seed printed another timeline: $(diff first.txt second.txt | head -5)"
cmp -s first-report.html out/seeds/report.html || fail "the same seed wrote another report"
grep -q '^Report: out/seeds/report.html' first.txt || fail "the run does not say where its report is"
# The report's data: the packets, the lanes of the conversation, one
# connection per TCP connection, the timeline (its page is tested in Chromium:
# tests/report/report_browser_test.sh).
/usr/bin/python3 - out/seeds/report.html <<'PY' || fail "the report's data is not what the run did"
import json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="run-data">(.*?)</script>', page, re.S)
assert m, "no run-data element"
d = json.loads(m.group(1))  # JSON reads "<\/" as "</"
assert d["name"] == "seeds" and d["seed"] == 1, (d["name"], d["seed"])
assert d["lanes"][0] == "client" and "resolver" in d["lanes"] and "kiminje-shop" in d["lanes"], d["lanes"]
e2e = [p for p in d["packets"] if p["e2e"]]
lost = [p for p in e2e if p["fate"] == "lost"]
assert len(lost) == 2 and all(p["lost"]["link"] == "isp-core" for p in lost), lost
assert any(p["label"].startswith("DNS query kiminje.shop. A") for p in e2e)
hello = [p for p in e2e if '"Hello!"' in p["label"]]
assert len(hello) == 1 and hello[0]["path"] == ["client", "isp", "core", "kiminje-shop"], hello
assert [l["name"] for l in hello[0]["layers"]] == ["Ethernet II", "IPv4", "TCP", "Data"], hello[0]["layers"]
assert len(d["connections"]) == 2 and all(len(c["sides"]) == 2 for c in d["connections"])
page_side = d["connections"][1]["sides"][1]
assert page_side["node"] == "kiminje-shop" and any(s["retransmission"] for s in page_side["segments"])
assert page_side["window"] and page_side["acks"]
assert len(d["timeline"]) > 20 and d["summary"]["lost"] == 2
PY
[[ -f out/seeds/scenario/seeds.yaml && -f out/seeds/events.jsonl ]] ||
    fail "no scenario or event log under out/seeds"

# The story, in this order (each pattern must match a line after the previous one's).
story=(
    'client +DNS +query kiminje\.shop\. A -> 10\.53\.0\.53:53'
    'root-server +DNS +referral for kiminje\.shop\. A'
    'resolver +DNS +answer kiminje\.shop\. A is 200\.200\.200\.2 -> 100\.100\.100\.1'
    'client +TCP +SYN -> 200\.200\.200\.2:7000 seq=0 \(3-way handshake 1/3\)'
    'LINK +TCP .*\[SYN\] lost on link isp-core'
    'client +TCP +SYN again -> 200\.200\.200\.2:7000'
    'kiminje-shop +TCP +SYN\+ACK -> 100\.100\.100\.1:[0-9]+ seq=0 ack=1 \(3-way handshake 2/3\)'
    'client +TCP +ACK -> 200\.200\.200\.2:7000 ack=1 \(3-way handshake 3/3\)'
    'client +TCP +data 6 bytes "Hello!" -> 200\.200\.200\.2:7000 seq=1 ack=1'
    'kiminje-shop +TCP +data 2 bytes "OK" -> 100\.100\.100\.1:[0-9]+ seq=1 ack=7'
    'client +TCP +FIN -> 200\.200\.200\.2:7000 seq=7 ack=3 \(closing: 4-way close\)'
    'kiminje-shop +TCP +FIN -> 100\.100\.100\.1:[0-9]+ seq=3 ack=8'
    'client +TCP +SYN -> 200\.200\.200\.2:80 seq=0'
    'LINK +TCP 200\.200\.200\.2:80 -> .* 1448 bytes lost on link isp-core'
    'client +TCP +1448 bytes seq=[0-9]+ arrive out of order'
    'client +TCP +duplicate ACK -> 200\.200\.200\.2:80 ack=([0-9]+): asks again from byte \1'
    'kiminje-shop +TCP +resends seq=[0-9]+ 1448 bytes'
    'client http-get: page: GET / -> 200 OK, 20000 bytes'
    '^Summary: [0-9]+ packets sent by hosts; 2 lost on links, 2 retransmitted'
    'TCP 100\.100\.100\.1:[0-9]+ -> 200\.200\.200\.2:7000: handshake 1060\.8 ms'
)
line=0
for pattern in "${story[@]}"; do
    found=$(tail -n +"$((line + 1))" first.txt | grep -nE -m1 -- "$pattern" | cut -d: -f1)
    if [[ -z $found ]]; then
        fail "no line matching '$pattern' after line $line"
        continue
    fi
    line=$((line + found))
done

# --json: the events and the applications' lines, one JSON object per line.
"$bin" run --json >json.txt 2>json.err || fail "run --json exited $?"
if ! /usr/bin/python3 -c '
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
kinds = {e["event"] for e in events}
assert {"tcp_send", "send", "drop", "app"} <= kinds, kinds
assert all("t_ns" in e and "node" in e for e in events)
' json.txt; then
    fail "run --json is not JSON lines with the run's events"
fi
# --quiet: the summary, no timeline.
"$bin" run --quiet >quiet.txt 2>&1 || fail "run --quiet exited $?"
grep -q '^Summary: ' quiet.txt || fail "run --quiet printed no summary"
grep -qE '\] (client|kiminje-shop) ' quiet.txt && fail "run --quiet printed timeline lines"

# --all: every segment; the default cuts long runs of routine ones short.
"$bin" run --all >all.txt 2>&1 || fail "run --all exited $?"
grep -q 'more routine lines until here' all.txt && fail "run --all still cut lines"
(($(wc -l <all.txt) > $(wc -l <first.txt))) || fail "run --all printed no more than the default"

# The progress line: on a terminal only (`script` gives the run one), drawn
# with carriage returns and cleared at the end; never in piped output.
if command -v script >/dev/null; then
    # A run of some thousands of events (the line is looked at every 1,024).
    MINTERNET_PROGRESS_AFTER_MS=0 script -qec "'$bin' run '$here/../../examples/router-failure.yaml' --out rf --quiet" /dev/null >tty.txt 2>&1 ||
        fail "run on a terminal exited $?"
    grep -qa $'\rvirtual [0-9.]* s, [0-9]* events' tty.txt || fail "no progress line on a terminal"
else
    fail "script (bsdutils) is not installed"
fi
MINTERNET_PROGRESS_AFTER_MS=0 "$bin" run "$here/../../examples/router-failure.yaml" --out rf --quiet \
    >piped.txt 2>piped.err || fail "piped run exited $?"
grep -qa $'\r' piped.txt piped.err && fail "progress drawn into piped output"

# explain: the list numbers the run's packets; one of them, the "Hello!"
# segment, layer by layer, with each layer's bytes.
"$bin" explain out/seeds >list.txt 2>&1 || fail "explain (the list) exited $?"
hello=$(grep -m1 -E '^#[0-9]+ .* client +eth0 +TCP 100\.100\.100\.1:[0-9]+ -> 200\.200\.200\.2:7000 \[PSH, ACK\] 6 bytes' list.txt |
    sed 's/^#\([0-9]*\).*/\1/')
if [[ -z $hello ]]; then
    fail "explain's list has no 6-byte segment from client to port 7000"
else
    "$bin" explain out/seeds "$hello" >hello.txt 2>&1 || fail "explain $hello exited $?"
    layer=0
    for pattern in '^Ethernet II — ' '^    IPv4 — 100\.100\.100\.1 → 200\.200\.200\.2, TTL 64, TCP' \
        '^        TCP — [0-9]+ → 7000 \[PSH, ACK\]' '^            Data — 6 bytes' \
        '^ +0000  48 65 6c 6c 6f 21 +Hello!$'; do
        grep -qE -- "$pattern" hello.txt || { fail "explain $hello: no line matching '$pattern'"; layer=1; }
    done
    ((layer)) && cat hello.txt >&2
fi
"$bin" explain out/seeds 999999 >/dev/null 2>bad.txt && fail "explain of a packet that is not there succeeded"
grep -q 'there is no #999999' bad.txt || fail "explain's error for a missing packet: $(cat bad.txt)"

# A broken scenario: the error at its file:line:column, a non-zero exit.
printf 'name: broken\nhosts:\n  a: {gateway: 10.0.0.1}\nlinks:\n  - ends: [a, nowhere]\n    addresses: [10.0.0.2/24, 10.0.0.1/24]\n' >broken.yaml
if "$bin" run broken.yaml >broken.txt 2>&1; then
    fail "a broken scenario ran"
elif ! grep -qE '^minternet run: broken\.yaml:5:[0-9]+: ' broken.txt; then
    fail "the error does not name file:line:column: $(cat broken.txt)"
fi

((failed)) && { echo "--- the run's output" >&2; head -80 first.txt >&2; }
exit $failed
