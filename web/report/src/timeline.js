// The timeline: the same lines as the terminal's, with notable ones (losses,
// retransmissions, reordering) stronger. Long runs are drawn a page at a time.
// A line that names a packet the run sent opens it.

import {h, section} from './dom.js';
import {fmtInt, fmtTime} from './format.js';

const PAGE = 1000;

export function renderTimeline(model) {
  const lines = Array.isArray(model.data.timeline) ? model.data.timeline : [];

  const tbody = h('tbody');
  const more = h('div', {class: 'more'});
  const notableOnly = h('input', {type: 'checkbox', id: 'tl-notable'});
  let shown = [];
  let drawn = 0;

  function row(line) {
    // The run says which packet a line tells of (or null): the report
    // links them as it reads the events the lines were made from.
    const n = Number.isInteger(line.packet) ? line.packet : null;
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
