// Per-link statistics, both directions: what was offered to the link, what
// it delivered, and every way a frame can go missing or arrive oddly.

import {h, section} from './dom.js';
import {fmtDuration, fmtInt, fmtRate} from './format.js';

const COLUMNS = [
  ['offered', 'offered', 'frames put on the link'],
  ['delivered', 'delivered', 'frames that reached the other end'],
  ['bytes', 'bytes', 'bytes delivered'],
  ['lost', 'lost', 'frames the link lost (its loss rate)', true],
  ['queue_drops', 'queue full', 'frames dropped because the queue in front of the link was full', true],
  ['down_drops', 'link down', 'frames dropped because the link was down', true],
  ['other_drops', 'other drops', 'frames dropped for another reason', true],
  ['corrupted', 'damaged', 'frames delivered with damaged bytes', true],
  ['duplicated', 'duplicated', 'frames delivered twice'],
  ['reordered', 'reordered', 'frames that overtook frames ahead of them'],
  ['max_queue', 'longest queue', 'the most frames waiting for this link at once'],
];

export function renderLinks(model) {
  const rows = [];
  for (const link of model.links) {
    const stats = Array.isArray(link.stats) ? link.stats : [];
    stats.forEach((st, i) => {
      rows.push(h('tr', {class: i === 0 ? 'group-start' : null},
        i === 0 ? h('th', {scope: 'rowgroup', rowspan: stats.length, class: 'link-name'},
          h('span', {class: 'strong'}, link.name),
          h('span', {class: 'sub'}, `${fmtRate(link.rate_bps)} · ${fmtDuration(link.delay_ns)}`),
          link.impairments ? h('span', {class: 'sub impair'}, link.impairments) : null) : null,
        h('td', {class: 'dir'}, `${st.from} → ${st.to}`),
        COLUMNS.map(([key, , , bad]) => {
          const v = st[key];
          const cls = ['num', v === 0 ? 'zero' : '', bad && v > 0 ? 'bad' : ''].filter(Boolean).join(' ');
          return h('td', {class: cls}, fmtInt(v));
        })));
    });
  }
  const table = h('table', {class: 'data links-table'},
    h('thead', null, h('tr', null,
      h('th', {scope: 'col'}, 'link'),
      h('th', {scope: 'col'}, 'direction'),
      COLUMNS.map(([, name, explain]) => h('th', {scope: 'col', class: 'num', title: explain}, name)))),
    h('tbody', null, rows));
  return section('links', 'Links',
    'Each link, in each direction. Hover over a column’s name for what it counts; drops and damage are red.',
    model.links.length ? h('div', {class: 'table-wrap'}, table) : h('p', {class: 'muted'}, 'No links.'));
}
