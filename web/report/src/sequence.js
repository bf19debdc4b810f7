// The sequence diagram: one vertical lane per entry of `lanes` (in that
// order), one slanted arrow per end-to-end packet between two lanes, in packet
// order, time going down. Rows are ordinal — one per arrow — because the gaps
// between packets range from microseconds to seconds; a dotted rule marks a
// long pause. A lost packet's arrow stops halfway with a cross, red and
// dashed; a retransmission is drawn orange and says so.
//
// Each arrow is a <g data-arrow data-packet=N data-label data-from data-to
// data-lost data-retransmission> the browser test reads. Rows are drawn in
// chunks of CHUNK (one <svg> each) so a run with tens of thousands of packets
// opens quickly; buttons below draw more.

import {h, s, section, textWidth} from './dom.js';
import {fmtDuration, fmtInt, fmtTime} from './format.js';
import {cross} from './topology.js';

const CHUNK = 1000;
const TIME_W = 150;
const ROW_H = 42;
const GAP_H = 26;
const SLANT = 14;
const HEAD_H = 58;
const PAUSE_NS = 100e6;  // a pause this long or longer gets its own rule

// "1 s", "0.585 s", "120 ms": a pause, in the unit a learner reads fastest.
function fmtPause(ns) {
  return ns >= 1e9 ? `${Number((ns / 1e9).toFixed(3))} s` : fmtDuration(ns);
}

function kind(p) {
  if (p.proto === 'TCP') return 'tcp';
  if (p.proto === 'UDP') return String(p.label || '').startsWith('DNS') ? 'dns' : 'udp';
  if (p.proto === 'ICMP') return 'icmp';
  return 'other';
}

function arrowHead(x, y, dx, dy, cls) {
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const size = 10;
  const bx = x - ux * size;
  const by = y - uy * size;
  const w = 4.5;
  return s('polygon', {
    class: cls,
    points: `${x},${y} ${bx - uy * w},${by + ux * w} ${bx + uy * w},${by - ux * w}`,
  });
}

export function renderSequence(model) {
  const lanes = model.lanes;
  const laneIndex = new Map(lanes.map((name, i) => [name, i]));
  const arrows = model.packets
    .filter((p) => p.e2e && laneIndex.has(p.from) && laneIndex.has(p.to))
    .sort((a, b) => a.n - b.n);

  const laneW = Math.max(150, Math.min(240, Math.floor((1240 - TIME_W) / Math.max(1, lanes.length))));
  const width = TIME_W + laneW * lanes.length + 20;
  const laneX = (name) => TIME_W + laneW * (laneIndex.get(name) + 0.5);

  const head = s('svg', {class: 'seq-head', width, height: HEAD_H, viewBox: `0 0 ${width} ${HEAD_H}`, 'aria-hidden': 'true'},
    s('text', {class: 'seq-col-title', x: 8, y: HEAD_H - 10}, 'time (s)  #'),
    lanes.map((name) => {
      const node = model.node(name);
      const x = laneX(name);
      const w = Math.min(laneW - 12, Math.max(96, textWidth(name, 13) + 24));
      const addr = node && node.addresses && node.addresses[0] ? node.addresses[0].replace(/\/\d+$/, '') : '';
      return s('g', {class: 'lane-head', 'data-lane': name},
        s('rect', {x: x - w / 2, y: 6, width: w, height: 30, rx: 6}),
        s('text', {class: 'name', x, y: 26, 'text-anchor': 'middle'}, name),
        addr ? s('text', {class: 'addr', x, y: 50, 'text-anchor': 'middle'}, addr) : null);
    }));

  const body = h('div', {class: 'seq-body'});
  const scroller = h('div', {class: 'seq-scroll', tabindex: '0', 'aria-label': 'Sequence diagram, scrollable'},
    h('div', {class: 'seq-sticky'}, head), body);
  const more = h('div', {class: 'seq-more'});
  let drawn = 0;
  let lastT = null;

  function drawChunk(count) {
    const end = Math.min(arrows.length, drawn + count);
    const rows = [];
    let y = 0;
    for (let i = drawn; i < end; i++) {
      const p = arrows[i];
      if (lastT !== null && p.t_ns - lastT >= PAUSE_NS) {
        rows.push(pauseRow(y, p.t_ns - lastT));
        y += GAP_H;
      }
      lastT = p.t_ns;
      rows.push(arrowRow(p, y));
      y += ROW_H;
    }
    const svg = s('svg', {class: 'seq-chunk', width, height: y, viewBox: `0 0 ${width} ${y}`, role: 'group',
      'aria-label': `Arrows ${fmtInt(drawn + 1)} to ${fmtInt(end)}`},
      lanes.map((name) => s('line', {class: 'lane-line', x1: laneX(name), x2: laneX(name), y1: 0, y2: y})),
      rows);
    body.appendChild(svg);
    drawn = end;
    updateMore();
  }

  function pauseRow(y, gap) {
    const mid = y + GAP_H / 2;
    return s('g', {class: 'pause'},
      s('line', {x1: 4, x2: width - 4, y1: mid, y2: mid}),
      s('text', {x: 8, y: mid - 3}, `⋯ ${fmtPause(gap)} later`));
  }

  function arrowRow(p, y) {
    const x1 = laneX(p.from);
    const x2 = laneX(p.to);
    const y1 = y + 20;
    const y2 = y1 + SLANT;
    const lost = p.fate === 'lost';
    const retx = !!p.retransmission;
    const cls = ['arrow', kind(p), lost ? 'lost' : '', retx ? 'retx' : ''].filter(Boolean).join(' ');
    const label = String(p.label || p.proto || '');
    const parts = [];
    parts.push(s('rect', {class: 'hit', x: 0, y: y + 2, width, height: ROW_H - 4, rx: 4}));
    parts.push(s('text', {class: 'time', x: 8, y: y + 26}, fmtTime(p.t_ns)));
    parts.push(s('text', {class: 'num', x: TIME_W - 12, y: y + 26, 'text-anchor': 'end'}, `#${p.n}`));
    let labelX;
    let labelY;
    let angle;
    if (x1 === x2) {
      // To itself: a small loop to the right.
      parts.push(s('path', {class: 'line', d: `M${x1},${y1} h28 v${SLANT} h-24`}));
      parts.push(arrowHead(x1 + 2, y2, -1, 0, 'head'));
      labelX = x1 + 36;
      labelY = y1 + 10;
      angle = 0;
    } else {
      const ex = lost ? (x1 + x2) / 2 : x2;
      const ey = lost ? (y1 + y2) / 2 : y2;
      parts.push(s('line', {class: 'line', x1, y1, x2: lost ? ex : x2 - Math.sign(x2 - x1), y2: ey}));
      if (lost) parts.push(cross(ex, ey, 6, 'cross'));
      else parts.push(arrowHead(x2, y2, x2 - x1, y2 - y1, 'head'));
      angle = (Math.atan2(y2 - y1, x2 - x1) * 180) / Math.PI;
      if (angle > 90 || angle < -90) angle -= 180 * Math.sign(angle);
      // Centred on the whole span, lost or not, so the label stays between
      // the two lanes (a lost arrow's cross sits right under it).
      labelX = (x1 + x2) / 2;
      labelY = (y1 + y2) / 2 - (lost ? 9 : 6);
    }
    const text = s('text', {
      class: 'label',
      x: labelX,
      y: labelY,
      'text-anchor': x1 === x2 ? 'start' : 'middle',
      transform: angle ? `rotate(${angle.toFixed(2)} ${labelX} ${labelY + 6})` : null,
    }, label);
    if (retx) text.appendChild(s('tspan', {class: 'tag'}, '  ↻ resent'));
    if (lost) text.appendChild(s('tspan', {class: 'tag'}, '  lost'));
    parts.push(text);
    const fate = lost ? `lost on link ${p.lost ? p.lost.link : '?'}` : p.fate === 'delivered' ? 'delivered' : 'still in flight at the end';
    return s('g', {
      class: cls,
      'data-arrow': '',
      'data-packet': p.n,
      'data-label': label,
      'data-from': p.from,
      'data-to': p.to,
      'data-lost': lost ? '1' : '0',
      'data-retransmission': retx ? '1' : '0',
      tabindex: '0',
      role: 'button',
      'aria-label': `Packet #${p.n} at ${fmtTime(p.t_ns)} s from ${p.from} to ${p.to}: ${label}${retx ? ', a retransmission' : ''}, ${fate}`,
    }, parts);
  }

  function updateMore() {
    while (more.firstChild) more.removeChild(more.firstChild);
    const left = arrows.length - drawn;
    more.appendChild(h('span', {class: 'muted'},
      `Showing ${fmtInt(drawn)} of ${fmtInt(arrows.length)} arrows.`));
    if (left > 0) {
      more.appendChild(h('button', {type: 'button', onclick: () => drawChunk(CHUNK)},
        `Show ${fmtInt(Math.min(CHUNK, left))} more`));
      more.appendChild(h('button', {type: 'button', onclick: () => drawChunk(left)},
        `Show all ${fmtInt(arrows.length)}`));
    }
  }

  const open = (event) => {
    const g = event.target.closest('[data-arrow]');
    if (!g) return;
    if (event.type === 'keydown' && event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    model.select(Number(g.dataset.packet), 'sequence');
  };
  body.addEventListener('click', open);
  body.addEventListener('keydown', open);

  let current = null;
  model.onSelect((n, source) => {
    if (current) current.classList.remove('selected');
    current = body.querySelector(`[data-arrow][data-packet="${n}"]`);
    if (!current) return;
    current.classList.add('selected');
    if (source !== 'sequence') {
      // Bring the row into the diagram's own view, without moving the page.
      const box = scroller.getBoundingClientRect();
      const row = current.getBoundingClientRect();
      if (row.top < box.top + HEAD_H || row.bottom > box.bottom) {
        scroller.scrollTop += row.top - box.top - HEAD_H - box.height / 3;
      }
    }
  });

  if (arrows.length) drawChunk(CHUNK);
  const legend = h('ul', {class: 'legend', 'aria-label': 'Legend'},
    legendItem('dns', 'DNS (over UDP)'),
    legendItem('tcp', 'TCP'),
    legendItem('retx', 'sent again (retransmission)'),
    legendItem('lost', 'lost on a link: the arrow stops with a cross'));
  return section('sequence', 'Who said what, in order',
    lanes.length
      ? `Each column is a host; each arrow is one packet from the host that sent it to the host it was for, in the order they were sent (rows are in order, not to scale — a dotted rule marks a pause). Routers only pass packets on, so they have no column. Click an arrow to open the packet.`
      : 'No hosts took part in a conversation.',
    legend,
    arrows.length ? [scroller, more] : h('p', {class: 'muted'}, 'No packet went from one host to another.'));
}

function legendItem(cls, text) {
  const line = cls === 'lost'
    ? s('g', {class: `arrow ${cls} tcp`}, s('line', {class: 'line', x1: 2, y1: 8, x2: 24, y2: 8}), cross(28, 8, 4, 'cross'))
    : s('g', {class: `arrow ${cls}`}, s('line', {class: 'line', x1: 2, y1: 8, x2: 28, y2: 8}), arrowHead(34, 8, 1, 0, 'head'));
  return h('li', null, s('svg', {width: 38, height: 16, 'aria-hidden': 'true'}, line), text);
}
