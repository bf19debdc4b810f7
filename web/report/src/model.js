// The run's data (docs/report.md) with the indexes the views need, and the
// one piece of shared state: which packet is selected. Views call
// model.select(n, source) and listen with model.onSelect(fn).

export function buildModel(data) {
  const packets = Array.isArray(data.packets) ? data.packets : [];
  const byNumber = new Map();
  for (const p of packets) byNumber.set(p.n, p);
  const nodes = Array.isArray(data.nodes) ? data.nodes : [];
  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  const links = Array.isArray(data.links) ? data.links : [];
  const linkByName = new Map(links.map((l) => [l.name, l]));

  // Links between two nodes, either way round (there may be parallel ones).
  const linksBetween = new Map();
  const pairKey = (a, b) => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  for (const l of links) {
    const key = pairKey(l.a, l.b);
    if (!linksBetween.has(key)) linksBetween.set(key, []);
    linksBetween.get(key).push(l);
  }

  const listeners = [];
  let selected = null;

  return {
    data,
    packets,
    nodes,
    links,
    lanes: Array.isArray(data.lanes) ? data.lanes : [],
    packet: (n) => byNumber.get(n) || null,
    node: (name) => nodeByName.get(name) || null,
    link: (name) => linkByName.get(name) || null,
    // The link a packet crossed between two neighbours on its path.
    linkBetween(a, b, preferred) {
      const list = linksBetween.get(pairKey(a, b)) || [];
      return list.find((l) => l.name === preferred) || list[0] || null;
    },
    // Packets sorted by number: the previous and next one around n.
    neighbours(n) {
      const i = packets.findIndex((p) => p.n === n);
      return {
        prev: i > 0 ? packets[i - 1] : null,
        next: i >= 0 && i + 1 < packets.length ? packets[i + 1] : null,
      };
    },
    selected: () => selected,
    select(n, source = '') {
      selected = n;
      for (const fn of listeners) fn(n, source);
    },
    onSelect(fn) {
      listeners.push(fn);
    },
  };
}
