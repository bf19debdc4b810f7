// The top of the report: what ran, and the run in numbers (the summary the
// terminal prints), with each TCP connection's handshake and transfer time.

import {h, section} from './dom.js';
import {fmtDuration, fmtInt, fmtTime, plural, prettyArrow} from './format.js';

export function renderHeader(model) {
  const d = model.data;
  const hosts = model.nodes.filter((n) => !n.router).length;
  const routers = model.nodes.length - hosts;
  return h('header', {class: 'report-header'},
    h('p', {class: 'kicker'}, 'minternet run report'),
    h('h1', null, d.name || 'unnamed run'),
    h('dl', {class: 'facts'},
      h('div', null, h('dt', null, 'seed'), h('dd', null, d.seed ?? '—')),
      h('div', null, h('dt', null, 'virtual time'), h('dd', null, `${fmtTime(d.duration_ns)} s`)),
      h('div', null, h('dt', null, 'network'),
        h('dd', null, `${plural(hosts, 'host')}, ${plural(routers, 'router')}, ${plural(model.links.length, 'link')}`)),
      h('div', null, h('dt', null, 'frames sent'), h('dd', null, fmtInt(model.packets.length)))));
}

const NUMBERS = [
  ['packets', 'packets', 'IP packets the hosts sent (routers only pass them on)'],
  ['lost', 'lost', 'frames lost on links: the link’s loss, a link down or a full queue'],
  ['retransmitted', 'retransmitted', 'TCP segments sent again because no acknowledgement came'],
  ['reordered', 'reordered', 'frames that overtook the ones ahead of them on a link'],
  ['duplicated', 'duplicated', 'frames a link delivered twice'],
  ['out_of_order', 'out of order', 'TCP segments that arrived before a missing earlier one'],
];

export function renderSummary(model) {
  const sum = model.data.summary || {};
  const cards = NUMBERS.map(([key, name, explain]) => {
    const value = sum[key];
    const bad = (key === 'lost' || key === 'retransmitted') && value > 0;
    return h('div', {class: bad ? 'number bad' : 'number', title: explain},
      h('span', {class: 'value'}, fmtInt(value)),
      h('span', {class: 'name'}, name),
      h('span', {class: 'explain'}, explain));
  });
  const conns = Array.isArray(sum.connections) ? sum.connections : [];
  const table = conns.length === 0 ? h('p', {class: 'muted'}, 'No TCP connection in this run.')
    : h('table', {class: 'data compact'},
      h('caption', null, 'TCP connections'),
      h('thead', null, h('tr', null,
        h('th', {scope: 'col'}, 'connection (opened by the first)'),
        h('th', {scope: 'col', class: 'num', title: 'from the first SYN to the ACK that completes the 3-way handshake'}, '3-way handshake'),
        h('th', {scope: 'col', class: 'num', title: 'from the first data to the first FIN'}, 'transfer'))),
      h('tbody', null, conns.map((c) => h('tr', null,
        h('td', null, h('a', {href: `#conn-${connId(c.name)}`}, prettyArrow(c.name))),
        h('td', {class: 'num'}, fmtDuration(c.handshake_ns)),
        h('td', {class: 'num'}, fmtDuration(c.transfer_ns))))));
  return section('summary', 'The run in numbers',
    'What the terminal’s summary says, counted over the whole run.',
    h('div', {class: 'numbers'}, cards),
    table);
}

// An id-safe form of a connection's name, shared with the TCP section.
export function connId(name) {
  return String(name).replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
