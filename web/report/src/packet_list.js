// Every frame the run sent, in explain's numbering, compact and filterable by
// protocol and by text. Filtering is a scan over an array (fast even for
// 50,000 packets); rows are drawn a page at a time.

import {h, section} from './dom.js';
import {fmtInt, fmtTime} from './format.js';

const PAGE = 500;

function fateCell(p) {
  if (p.fate === 'lost') {
    const where = p.lost && p.lost.link ? ` on ${p.lost.link}` : p.lost && p.lost.node ? ` at ${p.lost.node}` : '';
    return h('span', {class: 'fate lost'}, `✕ lost${where}`);
  }
  if (p.fate === 'delivered') return h('span', {class: 'fate ok'}, 'delivered');
  // A router's copy or ARP: its journey is told by the packet a host sent.
  if (!p.e2e) return h('span', {class: 'fate unknown'}, '—');
  return h('span', {class: 'fate unknown'}, 'in flight at the end');
}

export function renderPacketList(model) {
  const packets = model.packets;
  const protos = [...new Set(packets.map((p) => p.proto).filter(Boolean))].sort();
  let haystacks = null;  // built on the first text filter
  const haystack = (i) => {
    if (!haystacks) {
      haystacks = packets.map((p) => `#${p.n} ${p.node} ${p.iface} ${p.link} ${p.proto} ${p.label} ${p.from} ${p.to} ${p.fate} ${p.lost ? p.lost.link : ''} ${p.conn || ''}`.toLowerCase());
    }
    return haystacks[i];
  };

  const proto = h('select', {id: 'pl-proto', 'aria-label': 'Protocol'},
    h('option', {value: ''}, 'all protocols'),
    protos.map((name) => h('option', {value: name}, name)));
  const text = h('input', {type: 'search', id: 'pl-text', placeholder: 'node, address, flags, text…', 'aria-label': 'Filter by text', size: 28});
  const hostsOnly = h('input', {type: 'checkbox', id: 'pl-e2e'});
  const problems = h('input', {type: 'checkbox', id: 'pl-problems'});
  const count = h('span', {class: 'muted', 'aria-live': 'polite'});
  const tbody = h('tbody');
  const more = h('div', {class: 'more'});
  let shown = [];
  let drawn = 0;
  let selectedRow = null;

  function row(p) {
    return h('tr', {
      'data-packet': p.n, tabindex: '0',
      class: [p.e2e ? 'e2e' : 'hop', p.fate === 'lost' ? 'lost' : '', p.retransmission ? 'retx' : '', model.selected() === p.n ? 'selected' : ''].filter(Boolean).join(' '),
    },
    h('td', {class: 'num'}, `#${p.n}`),
    h('td', {class: 'time'}, fmtTime(p.t_ns)),
    h('td', null, `${p.node} `, h('span', {class: 'muted'}, p.iface || '')),
    h('td', null, h('span', {class: `pill pill-${String(p.proto || '').toLowerCase()}`}, p.proto || '')),
    h('td', {class: 'label'},
      p.retransmission ? h('span', {class: 'badge retx'}, '↻ resent') : null,
      p.reordered ? h('span', {class: 'badge reordered', title: 'overtook frames ahead of it on a link'}, '⇅ overtook') : null,
      p.label || ''),
    h('td', null, p.from || (p.e2e ? '?' : p.node), ' → ', p.to || '—'),
    h('td', null, fateCell(p)));
  }

  function drawPage() {
    const end = Math.min(shown.length, drawn + PAGE);
    const frag = document.createDocumentFragment();
    for (let i = drawn; i < end; i++) frag.appendChild(row(packets[shown[i]]));
    tbody.appendChild(frag);
    drawn = end;
    more.textContent = '';
    if (drawn < shown.length) {
      more.appendChild(h('button', {type: 'button', onclick: drawPage}, `Show ${fmtInt(Math.min(PAGE, shown.length - drawn))} more`));
      more.appendChild(h('button', {type: 'button', onclick: () => { while (drawn < shown.length) drawPage(); }}, `Show all ${fmtInt(shown.length)}`));
    }
    count.textContent = `${fmtInt(shown.length)} of ${fmtInt(packets.length)} packets match; showing ${fmtInt(drawn)}.`;
  }

  function refresh() {
    const wantProto = proto.value;
    const words = text.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const onlyHosts = hostsOnly.checked;
    const onlyProblems = problems.checked;
    shown = [];
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i];
      if (wantProto && p.proto !== wantProto) continue;
      if (onlyHosts && !p.e2e) continue;
      if (onlyProblems && p.fate !== 'lost' && !p.retransmission && !p.reordered) continue;
      if (words.length) {
        const hay = haystack(i);
        if (!words.every((w) => hay.includes(w))) continue;
      }
      shown.push(i);
    }
    drawn = 0;
    tbody.textContent = '';
    selectedRow = null;
    drawPage();
  }

  let timer = 0;
  text.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 120);
  });
  for (const el of [proto, hostsOnly, problems]) el.addEventListener('change', refresh);

  const open = (event) => {
    const tr = event.target.closest('tr[data-packet]');
    if (!tr) return;
    if (event.type === 'keydown' && event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    model.select(Number(tr.dataset.packet), 'list');
  };
  tbody.addEventListener('click', open);
  tbody.addEventListener('keydown', open);
  model.onSelect((n) => {
    if (selectedRow) selectedRow.classList.remove('selected');
    selectedRow = tbody.querySelector(`tr[data-packet="${n}"]`);
    if (selectedRow) selectedRow.classList.add('selected');
  });

  refresh();
  const total = model.data.packets_total;
  const cut = Number.isInteger(total) && total > packets.length
    ? h('p', {class: 'note'}, `This report lists the first ${fmtInt(packets.length)} of the run’s ${fmtInt(total)} frames; \`minternet explain\` shows any of them.`)
    : null;
  return section('packets', 'Every packet',
    'Every frame any node sent, numbered as `minternet explain` numbers them: the hosts’ packets, each router’s copy as it passes one on, and ARP. Click a row to open it.',
    cut,
    h('div', {class: 'controls'},
      proto, text,
      h('label', {for: 'pl-e2e'}, hostsOnly, ' only what hosts sent'),
      h('label', {for: 'pl-problems'}, problems, ' only lost, resent or reordered'),
      count),
    h('div', {class: 'sticky-head'},
      h('table', {class: 'data packet-table'},
        h('thead', null, h('tr', null,
          h('th', {scope: 'col', class: 'num'}, 'no.'),
          h('th', {scope: 'col'}, 'time (s)'),
          h('th', {scope: 'col'}, 'sent by'),
          h('th', {scope: 'col'}, 'protocol'),
          h('th', {scope: 'col'}, 'what'),
          h('th', {scope: 'col'}, 'from → to'),
          h('th', {scope: 'col'}, 'fate'))),
        tbody)),
    more);
}
