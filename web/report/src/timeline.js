// The timeline: the same lines as the terminal's, with notable ones (losses,
// retransmissions, reordering) stronger. Long runs are drawn a page at a time.
// A line that names a packet the run sent opens it.

import {h, section} from './dom.js';
import {fmtInt, fmtTime} from './format.js';

const PAGE = 1000;

// The packet a timeline line tells of, or null. The data has no link from a
// line to its packet, so this matches what the line says against the packets
// its node sent at that instant (or, for a loss, lost at that instant), and
// only answers when exactly one fits.
export function packetForLine(line, byNodeTime, lostByNodeTime) {
  if (Number.isInteger(line.packet)) return line.packet;
  const key = `${line.node}\u0000${line.t_ns}`;
  const text = String(line.text || '');
  if (line.layer === 'LINK') {
    const lost = / lost on link /.test(text) ? lostByNodeTime.get(key) || [] : [];
    return lost.length === 1 ? lost[0].n : null;
  }
  if (!/ -> /.test(text)) return null;
  let found = byNodeTime.get(key) || [];
  const narrow = (keep) => {
    const next = found.filter(keep);
    if (next.length) found = next;
  };
  for (const m of text.matchAll(/\b(seq|ack)=(\d+)/g)) {
    narrow((p) => new RegExp(`\\b${m[1]}=${m[2]}\\b`).test(p.label || ''));
  }
  const bytes = text.match(/\b(\d+) bytes\b/);
  const sameBytes = bytes ? new RegExp(`\\b${bytes[1]} bytes\\b`) : null;
  narrow((p) => (sameBytes ? sameBytes.test(p.label || '') : !/ bytes\b/.test(p.label || '')));
  if (line.layer === 'DNS') narrow((p) => (p.label || '').startsWith('DNS'));
  return found.length === 1 ? found[0].n : null;
}

export function renderTimeline(model) {
  const lines = Array.isArray(model.data.timeline) ? model.data.timeline : [];
  const byNodeTime = new Map();
  const lostByNodeTime = new Map();
  for (const p of model.packets) {
    if (!p.e2e) continue;
    const key = `${p.node}\u0000${p.t_ns}`;
    if (!byNodeTime.has(key)) byNodeTime.set(key, []);
    byNodeTime.get(key).push(p);
    if (p.lost && p.lost.node != null) {
      const lk = `${p.lost.node}\u0000${p.lost.t_ns}`;
      if (!lostByNodeTime.has(lk)) lostByNodeTime.set(lk, []);
      lostByNodeTime.get(lk).push(p);
    }
  }

  const tbody = h('tbody');
  const more = h('div', {class: 'more'});
  const notableOnly = h('input', {type: 'checkbox', id: 'tl-notable'});
  let shown = [];
  let drawn = 0;

  function row(line) {
    const n = packetForLine(line, byNodeTime, lostByNodeTime);
    return h('tr', {class: line.notable ? 'notable' : null},
      h('td', {class: 'time'}, fmtTime(line.t_ns)),
      h('td', {class: 'node'}, line.node || ''),
      h('td', null, h('span', {class: `pill pill-${String(line.layer || '').toLowerCase()}`}, line.layer || '')),
      h('td', {class: 'text'}, line.notable ? h('span', {class: 'flag', 'aria-label': 'notable'}, '!') : null, line.text || ''),
      h('td', {class: 'num'}, n != null
        ? h('button', {type: 'button', class: 'link-button', 'data-packet': n, onclick: () => model.select(n, 'timeline')}, `#${n}`)
        : ''));
  }

  function drawPage() {
    const end = Math.min(shown.length, drawn + PAGE);
    const frag = document.createDocumentFragment();
    for (let i = drawn; i < end; i++) frag.appendChild(row(shown[i]));
    tbody.appendChild(frag);
    drawn = end;
    more.textContent = '';
    more.appendChild(h('span', {class: 'muted'}, `Showing ${fmtInt(drawn)} of ${fmtInt(shown.length)} lines.`));
    if (drawn < shown.length) {
      more.appendChild(h('button', {type: 'button', onclick: drawPage}, `Show ${fmtInt(Math.min(PAGE, shown.length - drawn))} more`));
    }
  }

  function refresh() {
    shown = notableOnly.checked ? lines.filter((l) => l.notable) : lines;
    drawn = 0;
    tbody.textContent = '';
    drawPage();
  }
  notableOnly.addEventListener('change', refresh);
  refresh();

  return section('timeline', 'Timeline',
    'The story as the terminal tells it, one line per event worth seeing. Lines marked ! are the ones to look at: a loss, a packet sent again, packets overtaking each other.',
    h('div', {class: 'controls'},
      h('label', {for: 'tl-notable'}, notableOnly, ' only the notable lines')),
    h('div', {class: 'sticky-head'},
      h('table', {class: 'data timeline-table'},
        h('thead', null, h('tr', null,
          h('th', {scope: 'col'}, 'time (s)'),
          h('th', {scope: 'col'}, 'node'),
          h('th', {scope: 'col'}, 'layer'),
          h('th', {scope: 'col'}, 'what happened'),
          h('th', {scope: 'col', class: 'num'}, 'packet'))),
        tbody)),
    more);
}
