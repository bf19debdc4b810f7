// Formatting of the run's numbers for people. Times in the data are integer
// nanoseconds of virtual time (docs/report.md); everything here is pure and
// locale-independent, so the same data always renders the same text.

const NS_PER_S = 1e9;

// "2.323766530": seconds with 9 decimals, as the terminal's timeline prints them.
export function fmtTime(ns) {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '—';
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(Math.round(ns));
  const s = Math.floor(abs / NS_PER_S);
  const frac = String(abs % NS_PER_S).padStart(9, '0');
  return `${sign}${s}.${frac}`;
}

// Seconds as a float, for chart axes.
export function toSeconds(ns) {
  return ns / NS_PER_S;
}

function trimZeros(text) {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

// "1060.8 ms", "37.75 ms", "12 µs", "2.5 s": a span of time, short.
export function fmtDuration(ns) {
  if (ns === null || ns === undefined || !Number.isFinite(ns)) return '—';
  const abs = Math.abs(ns);
  if (abs < 1e3) return `${Math.round(ns)} ns`;
  if (abs < 1e6) return `${trimZeros((ns / 1e3).toFixed(1))} µs`;
  if (abs < 1e10) return `${trimZeros((ns / 1e6).toFixed(abs < 1e7 ? 3 : 1))} ms`;
  return `${trimZeros((ns / 1e9).toFixed(2))} s`;
}

// "100 Mbit/s", "1.5 Gbit/s", "56 kbit/s" (powers of 1000, as topology files write them).
export function fmtRate(bps) {
  if (bps === null || bps === undefined || !Number.isFinite(bps)) return '—';
  const units = [[1e12, 'Tbit/s'], [1e9, 'Gbit/s'], [1e6, 'Mbit/s'], [1e3, 'kbit/s']];
  for (const [size, unit] of units) {
    if (bps >= size) return `${trimZeros((bps / size).toFixed(2))} ${unit}`;
  }
  return `${bps} bit/s`;
}

// "31,000": integers with thousands separators.
export function fmtInt(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.abs(Math.round(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// "20,000 bytes", "1 byte".
export function fmtBytes(n) {
  if (n === null || n === undefined) return '—';
  return `${fmtInt(n)} ${n === 1 ? 'byte' : 'bytes'}`;
}

export function plural(n, one, many = `${one}s`) {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}

// A connection's name uses "->"; an arrow reads better.
export function prettyArrow(text) {
  return String(text).replace(/ -> /g, ' → ');
}
