// The packet panel: one packet as nested layers — Ethernet around IPv4 around
// TCP/UDP/ICMP around the data — each with its fields, its own bytes and any
// problem, the way `minternet explain` prints it and Wireshark shows it. Also
// where the packet went: when and where it was sent, its path, and its fate.

import {h} from './dom.js';
import {fmtDuration, fmtTime} from './format.js';

function layerEl(layers, i) {
  const layer = layers[i];
  const fields = Array.isArray(layer.fields) ? layer.fields : [];
  return h('details', {open: true, class: `layer layer-${String(layer.name || '').toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, 'data-layer': layer.name},
    h('summary', null, h('span', {class: 'layer-name'}, layer.name), layer.summary ? h('span', {class: 'layer-summary'}, ` — ${layer.summary}`) : null),
    layer.problem ? h('p', {class: 'problem', role: 'note'}, `⚠ ${layer.problem}`) : null,
    fields.length ? h('table', {class: 'fields'}, h('tbody', null, fields.map(([name, value]) => h('tr', null,
      h('th', {scope: 'row'}, name), h('td', null, value))))) : null,
    layer.hex ? h('pre', {class: 'hex', 'aria-label': `${layer.name} bytes`}, String(layer.hex).replace(/\n$/, '')) : null,
    i + 1 < layers.length ? layerEl(layers, i + 1) : null);
}

function noLayers(model, p) {
  if (p.layers_error) return `Its layers could not be read: ${p.layers_error}`;
  const upTo = model.data.packets_with_layers;
  if (Number.isInteger(upTo) && p.n > upTo) {
    return `This report has the layers of the first ${upTo} packets only; \`minternet explain\` shows this one's.`;
  }
  return 'No layers recorded for this packet.';
}

function pathStrip(model, p) {
  const path = Array.isArray(p.path) && p.path.length ? p.path : [p.node];
  const items = [];
  path.forEach((name, i) => {
    if (i > 0) {
      const link = model.linkBetween(path[i - 1], name, i === 1 ? p.link : null);
      items.push(h('li', {class: 'hop'}, h('span', {class: 'wire'}, link ? link.name : ''), '→'));
    }
    const node = model.node(name);
    items.push(h('li', {class: `stop${node && node.router ? ' router' : ''}`}, name));
  });
  if (p.fate === 'lost' && p.lost) {
    items.push(h('li', {class: 'hop lost'}, h('span', {class: 'wire'}, p.lost.link || p.lost.reason || ''), '✕'));
  }
  return h('ol', {class: 'path-strip', 'aria-label': 'path'}, items);
}

function fateText(p) {
  if (p.fate === 'lost') {
    const l = p.lost || {};
    const where = l.link ? `lost on link ${l.link}${l.node ? ` (leaving ${l.node})` : ''}` : `dropped${l.node ? ` at ${l.node}` : ''}`;
    return h('span', {class: 'bad'}, `${where}${l.t_ns != null ? ` at ${fmtTime(l.t_ns)} s` : ''}${l.reason && l.reason !== 'lost' ? `: ${l.reason}` : ''}`);
  }
  if (!p.e2e && p.fate !== 'delivered') return 'see the packet the host sent: this frame is a copy passed on, or ARP';
  if (p.fate === 'delivered') {
    if (p.arrived_ns == null) return 'delivered';
    return `delivered to ${p.to || 'its destination'} at ${fmtTime(p.arrived_ns)} s (${fmtDuration(p.arrived_ns - p.t_ns)} after it was sent)`;
  }
  return 'unknown: still on its way when the run ended';
}

export function createPacketPanel(model) {
  const title = h('h2', {id: 'packet-panel-title', tabindex: '-1'}, 'Packet');
  const prev = h('button', {type: 'button', class: 'nav-btn'}, '←');
  const next = h('button', {type: 'button', class: 'nav-btn'}, '→');
  const close = h('button', {type: 'button', class: 'close', 'aria-label': 'Close the packet panel', title: 'Close (Esc)'}, '×');
  const content = h('div', {class: 'panel-content'});
  const panel = h('aside', {id: 'packet-panel', role: 'dialog', 'aria-labelledby': 'packet-panel-title', hidden: true},
    h('div', {class: 'panel-head'}, title, h('div', {class: 'panel-nav'}, prev, next, close)),
    content);
  let current = null;
  let returnFocus = null;

  function show(n) {
    const p = model.packet(n);
    current = n;
    content.textContent = '';
    if (!p) {
      title.textContent = `Packet #${n}`;
      content.appendChild(h('p', {class: 'muted'}, `This run has no packet #${n}.`));
    } else {
      title.textContent = `Packet #${p.n}`;
      const {prev: before, next: after} = model.neighbours(p.n);
      prev.disabled = !before;
      next.disabled = !after;
      prev.title = before ? `Packet #${before.n}` : '';
      next.title = after ? `Packet #${after.n}` : '';
      prev.onclick = () => before && model.select(before.n, 'panel');
      next.onclick = () => after && model.select(after.n, 'panel');
      const layers = Array.isArray(p.layers) ? p.layers : [];
      content.append(
        h('p', {class: 'panel-label'},
          p.retransmission ? h('span', {class: 'badge retx'}, '↻ resent') : null,
          h('span', {class: `pill pill-${String(p.proto || '').toLowerCase()}`}, p.proto || ''), ' ', p.label || ''),
        h('dl', {class: 'packet-facts'},
          h('dt', null, 'sent'), h('dd', null, `at ${fmtTime(p.t_ns)} s by ${p.node} on ${p.iface || '?'}, onto link ${p.link || '?'}`),
          h('dt', null, 'from → to'), h('dd', null, `${p.from || (p.e2e ? '?' : p.node)} → ${p.to || '— (no host owns the destination)'}${p.e2e ? '' : ' (a copy passed on, or ARP: not an arrow in the diagram)'}`),
          p.conn ? [h('dt', null, 'connection'), h('dd', null, p.conn)] : null,
          h('dt', null, 'fate'), h('dd', null, fateText(p),
            p.reordered ? h('span', {class: 'badge reordered'}, ' ⇅ overtook frames ahead of it on a link') : null),
          h('dt', null, 'path'), h('dd', null, pathStrip(model, p))),
        h('h3', {class: 'layers-title'}, 'Layers, outermost first'),
        layers.length ? layerEl(layers, 0) : h('p', {class: 'muted'}, noLayers(model, p)));
    }
    if (panel.hidden) returnFocus = document.activeElement;
    panel.hidden = false;
    document.body.classList.add('panel-open');
    content.scrollTop = 0;
    panel.scrollTop = 0;
    title.focus({preventScroll: true});
  }

  function hide() {
    panel.hidden = true;
    document.body.classList.remove('panel-open');
    current = null;
    setHash('');
    if (returnFocus && returnFocus.focus) returnFocus.focus({preventScroll: true});
  }

  close.addEventListener('click', hide);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) hide();
  });
  model.onSelect((n, source) => {
    show(n);
    if (source !== 'hash') setHash(`#packet-${n}`);
  });
  window.addEventListener('hashchange', () => {
    const n = hashPacket();
    if (n !== null && n !== current) model.select(n, 'hash');
  });
  return {el: panel, current: () => current};
}

// "#packet-N" in the address opens packet N.
export function hashPacket() {
  const m = /^#packet-(\d+)$/.exec(window.location.hash);
  return m ? Number(m[1]) : null;
}

function setHash(hash) {
  const url = `${window.location.pathname}${window.location.search}${hash}`;
  try {
    window.history.replaceState(null, '', url);
  } catch (err) {
    // Some browsers refuse history changes on file:// pages; the address
    // then just does not follow the selection.
  }
}
