#!/usr/bin/python3
"""Opens a run's HTML report in headless Chromium and checks that a learner
would see the story: the page renders without errors, the sequence diagram
tells the seeds' story in order, a click on an arrow opens the packet as
layers, and every TCP side that sent data has its graph. Saves screenshots.

    /usr/bin/python3 tests/report/report_browser_test.py REPORT.html SCREENSHOT.png

Needs Debian's python3-selenium, chromium and chromium-driver. Exit 0 when
every check passes, 1 with a message naming the first that failed.
"""

import json
import os
import sys
import time

# The arrows the sequence diagram must contain, in this order (other arrows
# may come between). Each names the sender, the receiver and how its label
# starts (or what it contains), plus the data-lost / data-retransmission it
# must have. An AnyOrder group matches its arrows in any order, each after the
# arrow before the group.
EXPECTED_ARROWS = [
    {"what": "the client asks DNS", "from": "client", "starts": "DNS query"},
    {"what": "DNS answers the client", "to": "client", "starts": "DNS answer"},
    {"what": "the first SYN, lost", "from": "client", "to": "kiminje-shop", "flags": "SYN", "lost": "1"},
    {"what": "the SYN sent again", "from": "client", "to": "kiminje-shop", "flags": "SYN", "retransmission": "1"},
    {"what": "the server's SYN, ACK", "from": "kiminje-shop", "to": "client", "starts": "SYN, ACK"},
    {"what": "the client's ACK", "from": "client", "to": "kiminje-shop", "flags": "ACK"},
    {"what": "Hello!", "from": "client", "to": "kiminje-shop", "contains": "Hello!"},
    {"what": "OK", "from": "kiminje-shop", "to": "client", "contains": '"OK"'},
    ("AnyOrder",
     {"what": "the client's FIN", "from": "client", "to": "kiminje-shop", "starts": "FIN"},
     {"what": "the server's FIN", "from": "kiminje-shop", "to": "client", "starts": "FIN"}),
]

READY_TIMEOUT_S = 30
MAX_SCREENSHOT_HEIGHT = 16000
WINDOW = (1400, 1000)


class Failure(Exception):
    pass


def fail(message):
    raise Failure(message)


def arrow_matches(arrow, want):
    label = arrow["label"]
    if "from" in want and arrow["from"] != want["from"]:
        return False
    if "to" in want and arrow["to"] != want["to"]:
        return False
    if "starts" in want and not label.startswith(want["starts"]):
        return False
    if "contains" in want and want["contains"] not in label:
        return False
    # TCP flags come first in a label: "SYN seq=0", "ACK seq=1 ack=1".
    if "flags" in want and not (label == want["flags"] or label.startswith(want["flags"] + " ")):
        return False
    for attr in ("lost", "retransmission"):
        if attr in want and arrow[attr] != want[attr]:
            return False
    return True


def describe_want(want):
    bits = [f"{key}={want[key]!r}" for key in
            ("from", "to", "starts", "contains", "flags", "lost", "retransmission") if key in want]
    return f"{want['what']} ({', '.join(bits)})"


def match_story(arrows):
    """Greedy in-order match of EXPECTED_ARROWS; returns [(want, index)]."""
    matched = []
    pos = 0
    for item in EXPECTED_ARROWS:
        group = list(item[1:]) if isinstance(item, tuple) and item[0] == "AnyOrder" else [item]
        ends = []
        for want in group:
            index = next((i for i in range(pos, len(arrows)) if arrow_matches(arrows[i], want)), None)
            if index is None:
                after = (f"after the arrow of packet #{arrows[pos - 1]['packet']} "
                         f"({arrows[pos - 1]['label']!r})") if pos else "anywhere"
                fail(f"sequence diagram: no arrow for {describe_want(want)} {after} "
                     f"(arrows in DOM order: {len(arrows)}; matched so far: "
                     f"{[w['what'] for w, _ in matched]})")
            matched.append((want, index))
            ends.append(index)
        pos = max(ends) + 1
    return matched


def make_driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={WINDOW[0]},{WINDOW[1]}", "--hide-scrollbars",
                "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    return driver


def wait_for(driver, condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    fail(f"timed out after {timeout} s waiting for {what}")


def console_entries(driver):
    entries = driver.get_log("browser")
    for e in entries:
        print(f"  console {e.get('level')}: {e.get('message')}")
    return entries


def check_console(driver, seen):
    seen.extend(console_entries(driver))
    severe = [e for e in seen if e.get("level") == "SEVERE"]
    if severe:
        fail(f"the browser console has {len(severe)} SEVERE entries; first: {severe[0].get('message')}")


def check_no_banner(driver):
    banner = driver.execute_script(
        "const b = document.getElementById('error-banner'); return b ? b.innerText : null;")
    if banner:
        fail("the page shows its error banner: " + " | ".join(
            line.strip() for line in banner.splitlines() if line.strip()))


def check_offline(driver):
    """The report is one self-contained file: it must not load anything."""
    loaded = driver.execute_script(
        "return performance.getEntriesByType('resource').map((e) => e.name);")
    if loaded:
        fail(f"the page loaded {len(loaded)} other resources (it must need nothing but itself): "
             f"{loaded[:5]}")


def read_arrows(driver):
    return driver.execute_script("""
        return [...document.querySelectorAll('[data-arrow]')].map((el) => ({
          packet: el.dataset.packet, label: el.dataset.label, from: el.dataset.from,
          to: el.dataset.to, lost: el.dataset.lost, retransmission: el.dataset.retransmission}));
    """)


def click_arrow(driver, packet):
    from selenium.webdriver.common.by import By

    el = driver.find_element(By.CSS_SELECTOR, f'[data-arrow][data-packet="{packet}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", el)
    el.click()
    wait_for(driver, lambda: driver.execute_script(
        "if (document.getElementById('error-banner')) return true;"
        "const p = document.getElementById('packet-panel');"
        "return !!p && !p.hidden && p.innerText.includes('Packet #' + arguments[0]);", packet),
        5, f"#packet-panel to show packet #{packet}")
    check_no_banner(driver)
    return driver.execute_script("return document.getElementById('packet-panel').innerText;")


def close_panel(driver):
    driver.execute_script(
        "const b = document.querySelector('#packet-panel button.close'); if (b) b.click();")


def check_panel(driver, arrows, matched):
    first = arrows[0]
    text = click_arrow(driver, first["packet"])
    for needed in ("Ethernet II", "IPv4", "UDP"):
        if needed not in text:
            fail(f"packet panel for the first arrow (#{first['packet']}, {first['label']!r}) "
                 f"does not show {needed!r}")
    print(f"  panel for #{first['packet']}: Ethernet II, IPv4, UDP shown")
    close_panel(driver)

    hello = next(arrows[i] for want, i in matched if want["what"] == "Hello!")
    text = click_arrow(driver, hello["packet"])
    if "TCP" not in text:
        fail(f"packet panel for the Hello! arrow (#{hello['packet']}) does not show 'TCP'")
    data = driver.execute_script(
        "const d = document.querySelector('#packet-panel [data-layer=\"Data\"]');"
        "return d ? d.innerText : null;")
    if data is None:
        fail(f"packet panel for the Hello! arrow (#{hello['packet']}) has no Data layer")
    if "Hello!" not in data:
        fail(f"the Data layer of packet #{hello['packet']} does not show Hello!: {data[:200]!r}")
    print(f"  panel for #{hello['packet']}: TCP, and Hello! in the Data layer")
    return hello["packet"]


TIMELINE_LOSS_JS = """
    const rows = [...document.querySelectorAll('#timeline tbody tr')];
    const row = rows.find((r) => r.innerText.includes('[SYN] lost on link'));
    if (!row) return null;
    const b = row.querySelector('button[data-packet]');
    return {text: row.innerText, packet: b ? Number(b.dataset.packet) : null};
"""


def check_timeline_link(driver, arrows, matched):
    """The timeline's line for the lost SYN links to the same packet as the
    lost SYN's arrow, and opens it."""
    lost = next(arrows[i] for want, i in matched if want["what"] == "the first SYN, lost")
    row = driver.execute_script(TIMELINE_LOSS_JS)
    if row is None:
        fail("the timeline has no line saying the SYN was lost on a link")
    if row["packet"] != int(lost["packet"]):
        fail(f"the timeline's loss line links to packet {row['packet']}, "
             f"the lost SYN's arrow is packet #{lost['packet']}: {row['text']!r}")
    driver.execute_script(
        "document.querySelector(`#timeline button[data-packet=\"${arguments[0]}\"]`).click();",
        row["packet"])
    wait_for(driver, lambda: driver.execute_script(
        "const p = document.getElementById('packet-panel');"
        "return p && !p.hidden && p.innerText.includes(arguments[0]);", f"Packet #{row['packet']}"),
        5, f"#packet-panel to show packet #{row['packet']} from the timeline")
    print(f"  timeline: the loss line opens #{row['packet']}, the lost SYN")
    close_panel(driver)


CHART_SIDES_JS = """
    const data = JSON.parse(document.getElementById('run-data').textContent);
    const out = [];
    for (const conn of data.connections || []) {
      (conn.sides || []).forEach((side, i) => {
        if ((side.segments || []).some((s) => s.len > 0)) out.push({conn: conn.name, side: i, node: side.node});
      });
    }
    return out;
"""

# Size and drawn pixels of one side's time-sequence canvas; scrolls it into
# view first (charts far down the page may be drawn only when near the screen).
CHART_STATE_JS = """
    const [conn, side] = arguments;
    const canvas = [...document.querySelectorAll('canvas[data-chart="tcp-seq"]')]
      .find((c) => c.dataset.conn === conn && c.dataset.side === String(side));
    if (!canvas) return null;
    canvas.scrollIntoView({block: 'center', behavior: 'instant'});
    const box = canvas.getBoundingClientRect();
    let inked = 0;
    if (canvas.width && canvas.height) {
      const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      for (let k = 3; k < px.length; k += 4) if (px[k] !== 0) inked++;
    }
    return {width: Math.round(box.width), height: Math.round(box.height), inked};
"""


def check_charts(driver):
    """Every connection side that sent data has a time-sequence canvas with a
    size and something drawn on it (not just an empty 300x150 canvas)."""
    sides = driver.execute_script(CHART_SIDES_JS)
    if not sides:
        fail("no TCP connection side in the data sent any data: nothing to check the graphs against")
    for side in sides:
        who = f"{side['node']} in {side['conn']}"
        deadline = time.monotonic() + 5
        while True:
            state = driver.execute_script(CHART_STATE_JS, side["conn"], side["side"])
            if state is None:
                fail(f"no time-sequence graph (canvas[data-chart=tcp-seq]) for {who}")
            if state["inked"] >= 500 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        if state["width"] == 0 or state["height"] == 0:
            fail(f"the time-sequence graph for {who} has no size ({state['width']}x{state['height']})")
        if state["inked"] < 500:
            fail(f"the time-sequence graph for {who} is blank ({state['inked']} pixels drawn)")
        side.update(state)
    driver.execute_script("window.scrollTo({top: 0, behavior: 'instant'});")
    return sides


def screenshot(driver, path, full_page):
    if full_page:
        height = driver.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);")
        driver.set_window_size(WINDOW[0], min(int(height) + 20, MAX_SCREENSHOT_HEIGHT))
        driver.execute_script("window.scrollTo(0, 0);")
        time.sleep(0.5)
    if not driver.save_screenshot(path):
        fail(f"could not save a screenshot to {path}")
    print(f"  screenshot: {path}")


def run(report, shot):
    if not os.path.isfile(report):
        fail(f"no such report: {report}")
    url = "file://" + os.path.abspath(report)
    driver = make_driver()
    seen = []
    try:
        driver.get(url)
        try:
            wait_for(driver, lambda: driver.execute_script(
                "return document.body && (document.body.dataset.ready === '1'"
                " || !!document.getElementById('error-banner'));"), READY_TIMEOUT_S,
                'document.body.dataset.ready == "1"')
        finally:
            seen.extend(console_entries(driver))
        check_no_banner(driver)
        if driver.execute_script("return document.body.dataset.ready;") != "1":
            fail("the page showed no error banner but never became ready")
        check_console(driver, seen)
        check_offline(driver)

        arrows = read_arrows(driver)
        if not arrows:
            fail("the sequence diagram has no arrows ([data-arrow])")
        matched = match_story(arrows)
        print(f"  {len(arrows)} arrows; the story, in order:")
        for want, i in matched:
            a = arrows[i]
            print(f"    #{a['packet']:>5} {a['from']} -> {a['to']}: {a['label']}"
                  f"{'  [lost]' if a['lost'] == '1' else ''}"
                  f"{'  [retransmission]' if a['retransmission'] == '1' else ''}   ({want['what']})")

        charts = check_charts(driver)
        for c in charts:
            print(f"  graph: {c['node']} in {c['conn']}: {c['width']}x{c['height']} px, {c['inked']} drawn")

        hello = check_panel(driver, arrows, matched)
        close_panel(driver)
        check_timeline_link(driver, arrows, matched)
        screenshot(driver, shot, full_page=True)

        # The second picture: the Hello! packet open, as a learner sees it.
        driver.set_window_size(*WINDOW)
        click_arrow(driver, hello)
        base, ext = os.path.splitext(shot)
        screenshot(driver, f"{base}-packet{ext or '.png'}", full_page=False)

        check_no_banner(driver)
        check_console(driver, seen)
        print(f"report browser test: ok ({len(arrows)} arrows, {len(matched)} story steps matched, "
              f"{len(charts)} TCP graphs, packet panel checked)")
    finally:
        driver.quit()


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        run(sys.argv[1], sys.argv[2])
    except Failure as failure:
        print(f"report browser test: FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
