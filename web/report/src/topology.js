// The network drawn as an SVG map: hosts as boxes, routers as circles, links
// labelled with their rate, delay and impairments. The layout is layered and
// deterministic: a breadth-first walk from the first lane (the client) puts
// each node in the column of its distance in hops, and each column is ordered
// by where its neighbours sit in the column before (one barycentre pass), so
// the same topology always looks the same.
//
// Selecting a packet draws the path it took on top of the map and marks, with
// a cross, the link it was lost on.

import {h, s, section, textWidth} from './dom.js';
import {fmtDuration, fmtRate, fmtTime, prettyArrow} from './format.js';

const ROW_GAP = 104;
const HOST_H = 38;
const ROUTER_R = 23;
const PAD_X = 40;
const PAD_TOP = 36;
const PAD_BOTTOM = 46;
const LABEL_FONT = 11;

function linkLines(link) {
  const first = [fmtRate(link.rate_bps), fmtDuration(link.delay_ns)].join(' · ');
  return link.impairments ? [first, link.impairments] : [first];
}

function hostWidth(name) {
  return Math.max(104, textWidth(name, 13) + 26);
}

// Columns of node names, by hops from the start, each ordered to keep links short.
export function layeredColumns(nodeNames, links, start) {
  const adj = new Map(nodeNames.map((n) => [n, []]));
  for (const l of links) {
    if (!adj.has(l.a) || !adj.has(l.b) || l.a === l.b) continue;
    adj.get(l.a).push(l.b);
    adj.get(l.b).push(l.a);
  }
  const depth = new Map();
  const columns = [];
  const walk = (from) => {
    depth.set(from, 0);
    const queue = [from];
    for (let i = 0; i < queue.length; i++) {
      const name = queue[i];
      const d = depth.get(name);
      (columns[d] = columns[d] || []).push(name);
      for (const next of adj.get(name)) {
        if (!depth.has(next)) {
          depth.set(next, d + 1);
          queue.push(next);
        }
      }
    }
  };
  if (adj.has(start)) walk(start);
  for (const name of nodeNames) if (!depth.has(name)) walk(name);

  for (let c = 1; c < columns.length; c++) {
    const before = new Map(columns[c - 1].map((n, i) => [n, i]));
    const weight = new Map();
    for (const name of columns[c]) {
      const ranks = adj.get(name).filter((n) => before.has(n)).map((n) => before.get(n));
      weight.set(name, ranks.length ? ranks.reduce((a, b) => a + b, 0) / ranks.length : Infinity);
    }
    columns[c] = columns[c].slice().sort((a, b) => weight.get(a) - weight.get(b));
  }
  return {columns, adj};
}

export function layoutTopology(model) {
  const names = model.nodes.map((n) => n.name);
  // A link may name a node the node list lacks; draw it anyway.
  for (const l of model.links) {
    for (const end of [l.a, l.b]) if (!names.includes(end)) names.push(end);
  }
  const start = model.lanes.find((n) => names.includes(n)) || names[0];
  const {columns} = layeredColumns(names, model.links, start);

  let widest = 0;
  for (const l of model.links) {
    for (const line of linkLines(l)) widest = Math.max(widest, textWidth(line, LABEL_FONT));
  }
  let widestHost = 104;
  for (const n of names) widestHost = Math.max(widestHost, hostWidth(n));
  const colGap = Math.min(420, Math.max(230, widest + widestHost + 30));
  const rows = Math.max(1, ...columns.map((c) => c.length));

  const pos = new Map();
  columns.forEach((col, c) => {
    col.forEach((name, i) => {
      const node = model.node(name) || {name, router: false, addresses: []};
      pos.set(name, {
        node,
        x: PAD_X + widestHost / 2 + c * colGap,
        y: PAD_TOP + ((rows - col.length) / 2 + i) * ROW_GAP + HOST_H / 2,
        column: c,
      });
    });
  });
  const width = PAD_X * 2 + widestHost + (columns.length - 1) * colGap;
  const height = PAD_TOP + (rows - 1) * ROW_GAP + HOST_H + PAD_BOTTOM;

  // Link geometry: straight, or curved when two links join the same pair or
  // both ends sit in one column.
  const seen = new Map();
  const edges = new Map();
  for (const l of model.links) {
    const a = pos.get(l.a);
    const b = pos.get(l.b);
    if (!a || !b) continue;
    const key = [l.a, l.b].sort().join('\u0000');
    const k = seen.get(key) || 0;
    seen.set(key, k + 1);
    let c = null;
    if (a.column === b.column) {
      c = {x: a.x + 70 + 24 * k, y: (a.y + b.y) / 2};
    } else if (k > 0) {
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len = Math.hypot(dx, dy) || 1;
      const off = 22 * Math.ceil(k / 2) * (k % 2 ? 1 : -1);
      c = {x: (a.x + b.x) / 2 - (dy / len) * off, y: (a.y + b.y) / 2 + (dx / len) * off};
    }
    edges.set(l.name, {link: l, a, b, c});
  }
  return {pos, edges, width, height};
}

function pointAt(edge, t, reverse) {
  const p0 = reverse ? edge.b : edge.a;
  const p1 = reverse ? edge.a : edge.b;
  if (!edge.c) return {x: p0.x + (p1.x - p0.x) * t, y: p0.y + (p1.y - p0.y) * t};
  const u = 1 - t;
  return {
    x: u * u * p0.x + 2 * u * t * edge.c.x + t * t * p1.x,
    y: u * u * p0.y + 2 * u * t * edge.c.y + t * t * p1.y,
  };
}

function edgePath(edge) {
  const {a, b, c} = edge;
  return c ? `M${a.x},${a.y} Q${c.x},${c.y} ${b.x},${b.y}` : `M${a.x},${a.y} L${b.x},${b.y}`;
}

function arrowHead(at, towards, size, cls) {
  const dx = towards.x - at.x;
  const dy = towards.y - at.y;
  const len = Math.hypot(dx, dy) || 1;
  const ux = dx / len;
  const uy = dy / len;
  const tip = {x: at.x + ux * size * 0.6, y: at.y + uy * size * 0.6};
  const back = {x: at.x - ux * size * 0.6, y: at.y - uy * size * 0.6};
  const w = size * 0.55;
  return s('polygon', {
    class: cls,
    points: `${tip.x},${tip.y} ${back.x - uy * w},${back.y + ux * w} ${back.x + uy * w},${back.y - ux * w}`,
  });
}

export function cross(x, y, size, cls) {
  return s('g', {class: cls},
    s('line', {x1: x - size, y1: y - size, x2: x + size, y2: y + size}),
    s('line', {x1: x - size, y1: y + size, x2: x + size, y2: y - size}));
}

function drawNode(p) {
  const {node, x, y} = p;
  const addresses = Array.isArray(node.addresses) ? node.addresses : [];
  const title = s('title', null, `${node.name} (${node.router ? 'router' : 'host'})${addresses.length ? `: ${addresses.join(', ')}` : ''}`);
  if (node.router) {
    const r = ROUTER_R;
    const a = r * 0.45;
    return s('g', {class: 'topo-node router', 'data-node': node.name, transform: `translate(${x},${y})`},
      title,
      s('circle', {class: 'shape', r}),
      // The classic router symbol: arrows in and out.
      s('path', {class: 'glyph', d: `M${-a},${-a} L${a},${a} M${-a},${a} L${a},${-a}`}),
      s('path', {class: 'glyph', d: `M${a - 5},${a} L${a},${a} L${a},${a - 5} M${-a + 5},${-a} L${-a},${-a} L${-a},${-a + 5}`}),
      s('text', {class: 'name', y: r + 16, 'text-anchor': 'middle'}, node.name));
  }
  const w = hostWidth(node.name);
  return s('g', {class: 'topo-node host', 'data-node': node.name, transform: `translate(${x},${y})`},
    title,
    s('rect', {class: 'shape', x: -w / 2, y: -HOST_H / 2, width: w, height: HOST_H, rx: 7}),
    s('text', {class: 'name', y: 5, 'text-anchor': 'middle'}, node.name),
    addresses.length ? s('text', {class: 'addr', y: HOST_H / 2 + 15, 'text-anchor': 'middle'},
      addresses[0].replace(/\/\d+$/, '') + (addresses.length > 1 ? ` +${addresses.length - 1}` : '')) : null);
}

function drawWire(edge) {
  const lines = linkLines(edge.link);
  return s('path', {class: 'wire', d: edgePath(edge)},
    s('title', null, `link ${edge.link.name}: ${edge.link.a} ↔ ${edge.link.b}, ${lines.join(', ')}`));
}

// The unit normal of an edge at its middle that points up the page (or left
// for a vertical edge): where its label goes, and the other side for marks.
function upNormal(edge) {
  const p0 = pointAt(edge, 0.45, false);
  const p1 = pointAt(edge, 0.55, false);
  const dx = p1.x - p0.x;
  const dy = p1.y - p0.y;
  const len = Math.hypot(dx, dy) || 1;
  let nx = -dy / len;
  let ny = dx / len;
  if (ny > 0 || (ny === 0 && nx > 0)) {
    nx = -nx;
    ny = -ny;
  }
  return {x: nx, y: ny};
}

// The label sits beside its link, on the upper side, clear of the line.
function drawLabel(edge) {
  const lines = linkLines(edge.link);
  const w = Math.max(...lines.map((line) => textWidth(line, LABEL_FONT))) + 10;
  const hgt = lines.length * 13 + 4;
  const mid = pointAt(edge, 0.5, false);
  const n = upNormal(edge);
  const off = Math.abs(n.x) * (w / 2) + Math.abs(n.y) * (hgt / 2) + 7;
  const cx = mid.x + n.x * off;
  const cy = mid.y + n.y * off;
  const top = cy - hgt / 2;
  return s('g', {class: 'topo-link', 'data-link': edge.link.name},
    s('rect', {class: 'label-bg', x: cx - w / 2, y: top, width: w, height: hgt, rx: 3}),
    s('text', {class: 'link-label', 'text-anchor': 'middle'},
      lines.map((line, i) => s('tspan', {x: cx, y: top + 12 + i * 13, class: i ? 'impair' : null}, line))));
}

// The map, with highlight(packet) to draw a packet's path on it.
export function createTopologyView(model) {
  const layout = layoutTopology(model);
  const hl = s('g', {class: 'topo-highlight'});
  const nodes = s('g', null, [...layout.pos.values()].map(drawNode));
  const svg = s('svg', {
    class: 'topology',
    viewBox: `0 0 ${layout.width} ${layout.height}`,
    width: layout.width,
    height: layout.height,
    role: 'img',
    'aria-label': `Network map: ${model.nodes.length} nodes and ${model.links.length} links`,
  },
  s('g', {class: 'topo-wires'}, [...layout.edges.values()].map(drawWire)),
  hl,
  s('g', {class: 'topo-labels'}, [...layout.edges.values()].map(drawLabel)),
  nodes);

  function highlight(packet) {
    while (hl.firstChild) hl.removeChild(hl.firstChild);
    for (const el of nodes.querySelectorAll('.on-path, .path-from, .path-to')) {
      el.classList.remove('on-path', 'path-from', 'path-to');
    }
    if (!packet) return;
    const path = Array.isArray(packet.path) ? packet.path : [];
    const mark = (name, cls) => {
      const el = nodes.querySelector(`[data-node="${CSS.escape(name)}"]`);
      if (el) el.classList.add(cls);
    };
    for (let i = 0; i + 1 < path.length; i++) {
      const link = model.linkBetween(path[i], path[i + 1], i === 0 ? packet.link : null);
      const edge = link && layout.edges.get(link.name);
      if (!edge) continue;
      const reverse = edge.link.a !== path[i];
      hl.appendChild(s('path', {class: 'hl-wire', d: edgePath(edge)}));
      hl.appendChild(arrowHead(pointAt(edge, 0.3, reverse), pointAt(edge, 0.32, reverse), 16, 'hl-arrow'));
    }
    if (path.length === 0 && packet.link) {
      const edge = layout.edges.get(packet.link);
      if (edge) hl.appendChild(s('path', {class: 'hl-wire', d: edgePath(edge)}));
    }
    path.forEach((name) => mark(name, 'on-path'));
    if (path.length) mark(path[0], 'path-from');
    if (packet.fate === 'delivered' && path.length) mark(path[path.length - 1], 'path-to');
    const lost = packet.lost;
    const edge = lost && layout.edges.get(lost.link);
    if (edge) {
      const reverse = lost.node ? edge.link.a !== lost.node : false;
      const at = pointAt(edge, 0.5, reverse);
      const n = upNormal(edge);
      hl.appendChild(s('path', {class: 'lost-wire', d: edgePath(edge)}));
      hl.appendChild(cross(at.x, at.y, 9, 'lost-cross'));
      hl.appendChild(s('text', {class: 'lost-text', x: at.x - n.x * 22, y: at.y - n.y * 22 + 4, 'text-anchor': 'middle'}, 'lost here'));
    }
  }

  return {svg, highlight};
}

export function renderTopology(model) {
  const view = createTopologyView(model);
  const caption = h('p', {class: 'topo-caption', 'aria-live': 'polite'},
    'Choose a packet — an arrow in the sequence diagram, a mark in a TCP graph or a row of the packet list — to see the path it took here.');
  model.onSelect((n) => {
    const p = model.packet(n);
    view.highlight(p);
    caption.textContent = p ? describePath(p) : '';
  });
  return section('topology', 'The network',
    'Hosts are boxes, routers are circles. Each link shows how fast it sends (rate), how long a frame takes to cross it (delay) and what goes wrong on it (impairments).',
    h('div', {class: 'topo-wrap'}, view.svg),
    caption);
}

export function describePath(p) {
  const path = Array.isArray(p.path) && p.path.length ? p.path.join(' → ') : p.node;
  let fate;
  if (p.fate === 'lost' && p.lost) {
    fate = `lost on link ${p.lost.link}${p.lost.t_ns != null ? ` at ${fmtTime(p.lost.t_ns)} s` : ''}`;
  } else if (p.fate === 'delivered') {
    fate = p.arrived_ns != null ? `delivered at ${fmtTime(p.arrived_ns)} s` : 'delivered';
  } else {
    fate = 'still on its way when the run ended';
  }
  return `Packet #${p.n} (${prettyArrow(p.label || p.proto)}): ${path} — ${fate}.`;
}
