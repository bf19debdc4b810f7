// For each TCP connection: per side that sent data, its time-sequence graph
// (one mark per segment at its first relative sequence number with a bar up
// to its last byte; retransmissions and losses marked differently; the
// acknowledgements that side received as a stepped line — a segment is
// acknowledged once the line reaches the top of its bar) and its congestion
// window and smoothed RTT over time. A side that sent no data shows its
// control segments (the handshake and the close) as a list instead.
// Clicking a mark opens its packet.

import {
  Chart, Legend, LineController, LineElement, LinearScale, PointElement, ScatterController, Tooltip,
} from 'chart.js';
import {h, section} from './dom.js';
import {fmtDuration, fmtInt, fmtTime, plural, prettyArrow, toSeconds} from './format.js';
import {connId} from './summary.js';

Chart.register(ScatterController, LineController, PointElement, LineElement, LinearScale, Tooltip, Legend);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#3b4354';

const COLORS = {
  sent: '#1f5fae',
  retx: '#d97706',
  lost: '#c62828',
  ack: '#2e7d32',
  cwnd: '#6a3fb5',
  ssthresh: '#8a8f9c',
  srtt: '#0f7b6c',
};

const EAGER_CONNECTIONS = 8;  // later ones draw their charts when scrolled near

// Vertical bars from a segment's first to its last sequence number.
const segmentBars = {
  id: 'segmentBars',
  beforeDatasetsDraw(chart) {
    const {ctx, chartArea, scales} = chart;
    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left, chartArea.top, chartArea.right - chartArea.left, chartArea.bottom - chartArea.top);
    ctx.clip();
    chart.data.datasets.forEach((ds, i) => {
      if (!ds.segmentBars || !chart.isDatasetVisible(i)) return;
      ctx.strokeStyle = ds.borderColor;
      ctx.lineWidth = 2;
      for (const p of ds.data) {
        if (!p.len) continue;
        const x = scales.x.getPixelForValue(p.x);
        ctx.beginPath();
        ctx.moveTo(x, scales.y.getPixelForValue(p.y));
        ctx.lineTo(x, scales.y.getPixelForValue(p.y + p.len));
        ctx.stroke();
      }
    });
    ctx.restore();
  },
};

function sentData(side) {
  return (side.segments || []).some((seg) => seg.len > 0);
}

function axisRange(side) {
  const times = [];
  for (const seg of side.segments || []) times.push(seg.t_ns);
  for (const a of side.acks || []) times.push(a.t_ns);
  for (const w of side.window || []) times.push(w.t_ns);
  if (!times.length) return null;
  let min = Math.min(...times);
  let max = Math.max(...times);
  const pad = Math.max((max - min) * 0.04, 1e5);
  return {min: toSeconds(min - pad), max: toSeconds(max + pad)};
}

function secondsTick(value) {
  return Number(value).toFixed(3);
}

function commonOptions(model, canvas, range) {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    interaction: {mode: 'nearest', intersect: true},
    plugins: {
      legend: {position: 'bottom', labels: {usePointStyle: true, boxHeight: 8, padding: 14}},
      tooltip: {
        callbacks: {
          title: () => '',
          label: (ctx) => (ctx.raw && ctx.raw.tip) || '',
        },
      },
    },
    scales: {
      x: {
        type: 'linear',
        min: range ? range.min : undefined,
        max: range ? range.max : undefined,
        title: {display: true, text: 'time (s)'},
        ticks: {callback: secondsTick, maxTicksLimit: 8, includeBounds: false},
      },
    },
    onClick: (event, elements, chart) => {
      const el = elements[0];
      if (!el) return;
      const raw = chart.data.datasets[el.datasetIndex].data[el.index];
      if (raw && raw.packet != null) model.select(raw.packet, 'chart');
    },
    onHover: (event, elements, chart) => {
      const el = elements[0];
      const raw = el && chart.data.datasets[el.datasetIndex].data[el.index];
      canvas.style.cursor = raw && raw.packet != null ? 'pointer' : 'default';
    },
  };
}

function segmentTip(model, seg) {
  const p = model.packet(seg.packet);
  const what = p && p.label ? p.label : `${seg.flags} seq=${seg.seq}`;
  const fate = seg.lost ? ' — lost' : seg.retransmission ? ' — sent again' : '';
  return `#${seg.packet} at ${fmtTime(seg.t_ns)} s: ${what}${fate}`;
}

function seqChart(model, canvas, side, range) {
  const point = (seg) => ({x: toSeconds(seg.t_ns), y: seg.seq, len: seg.len, packet: seg.packet, tip: segmentTip(model, seg)});
  const segs = side.segments || [];
  const sent = segs.filter((seg) => !seg.lost && !seg.retransmission).map(point);
  const retx = segs.filter((seg) => !seg.lost && seg.retransmission).map(point);
  const lost = segs.filter((seg) => seg.lost).map(point);
  const acks = (side.acks || []).map((a) => ({
    x: toSeconds(a.t_ns), y: a.ack, packet: a.packet,
    tip: `${a.packet != null ? `#${a.packet}: ` : ''}acknowledges up to ${fmtInt(a.ack)} (received at ${fmtTime(a.t_ns)} s)`,
  }));
  const options = commonOptions(model, canvas, range);
  options.scales.y = {
    type: 'linear',
    beginAtZero: true,
    title: {display: true, text: 'relative sequence number'},
    ticks: {callback: (v) => fmtInt(v), precision: 0},
  };
  return new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        {label: 'segment sent', data: sent, segmentBars: true, borderColor: COLORS.sent, backgroundColor: COLORS.sent, pointStyle: 'circle', pointRadius: 3.5, pointHoverRadius: 6},
        {label: 'sent again', data: retx, segmentBars: true, borderColor: COLORS.retx, backgroundColor: COLORS.retx, pointStyle: 'triangle', pointRadius: 6, pointHoverRadius: 8},
        {label: 'lost on a link', data: lost, segmentBars: true, borderColor: COLORS.lost, backgroundColor: COLORS.lost, pointStyle: 'crossRot', pointRadius: 8, pointHoverRadius: 10, borderWidth: 3},
        {label: 'acknowledged (ACKs received)', type: 'line', data: acks, stepped: 'before', borderColor: COLORS.ack, backgroundColor: COLORS.ack, borderWidth: 2, pointRadius: 2, pointHoverRadius: 5, pointStyle: 'rect', showLine: true},
      ].filter((ds) => ds.data.length),
    },
    options,
    plugins: [segmentBars],
  });
}

function windowChart(model, canvas, side, range) {
  const win = side.window || [];
  const cwnd = win.map((w) => ({x: toSeconds(w.t_ns), y: w.cwnd, tip: `${fmtTime(w.t_ns)} s: cwnd ${fmtInt(w.cwnd)} bytes`}));
  const ssthresh = win.filter((w) => w.ssthresh != null).map((w) => ({x: toSeconds(w.t_ns), y: w.ssthresh, tip: `${fmtTime(w.t_ns)} s: ssthresh ${fmtInt(w.ssthresh)} bytes`}));
  const srtt = win.filter((w) => w.srtt_ns != null).map((w) => ({x: toSeconds(w.t_ns), y: w.srtt_ns / 1e6, tip: `${fmtTime(w.t_ns)} s: smoothed RTT ${fmtDuration(w.srtt_ns)}`}));
  const options = commonOptions(model, canvas, range);
  options.scales.y = {
    type: 'linear', position: 'left', beginAtZero: true,
    title: {display: true, text: 'bytes', color: COLORS.cwnd},
    ticks: {callback: (v) => fmtInt(v), precision: 0},
  };
  options.scales.rtt = {
    type: 'linear', position: 'right', beginAtZero: true,
    title: {display: true, text: 'ms', color: COLORS.srtt},
    grid: {drawOnChartArea: false},
  };
  return new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        {label: 'congestion window (bytes)', data: cwnd, yAxisID: 'y', stepped: 'before', borderColor: COLORS.cwnd, backgroundColor: COLORS.cwnd, borderWidth: 2, pointRadius: 3},
        {label: 'slow-start threshold (bytes)', data: ssthresh, yAxisID: 'y', stepped: 'before', borderColor: COLORS.ssthresh, backgroundColor: COLORS.ssthresh, borderDash: [5, 4], borderWidth: 1.5, pointRadius: 2},
        {label: 'smoothed RTT (ms)', data: srtt, yAxisID: 'rtt', borderColor: COLORS.srtt, backgroundColor: COLORS.srtt, borderWidth: 2, pointRadius: 3, pointStyle: 'rectRot'},
      ].filter((ds) => ds.data.length),
    },
    options,
  });
}

function controlList(model, side) {
  const segs = side.segments || [];
  if (!segs.length) return h('p', {class: 'muted'}, 'Sent no segment.');
  return h('div', null,
    h('p', {class: 'muted'}, 'Sent no data, only these control segments:'),
    h('ul', {class: 'chips'}, segs.map((seg) => h('li', null,
      h('button', {
        type: 'button',
        class: ['chip', seg.lost ? 'lost' : '', seg.retransmission ? 'retx' : ''].filter(Boolean).join(' '),
        'data-packet': seg.packet,
        title: segmentTip(model, seg),
        onclick: () => model.select(seg.packet, 'chart'),
      }, `${fmtTime(seg.t_ns)} s  ${seg.flags}${seg.lost ? ' ✕ lost' : ''}${seg.retransmission ? ' ↻' : ''}`)))));
}

function sideFacts(side) {
  const segs = side.segments || [];
  const bytes = segs.filter((seg) => !seg.retransmission).reduce((sum, seg) => sum + (seg.len || 0), 0);
  const retx = segs.filter((seg) => seg.retransmission).length;
  const lost = segs.filter((seg) => seg.lost).length;
  return [plural(segs.length, 'segment'), `${fmtInt(bytes)} bytes of data`,
    retx ? `${fmtInt(retx)} sent again` : null, lost ? `${fmtInt(lost)} lost` : null].filter(Boolean).join(' · ');
}

export function renderTcp(model) {
  const connections = Array.isArray(model.data.connections) ? model.data.connections : [];
  const summaries = new Map(((model.data.summary || {}).connections || []).map((c) => [c.name, c]));
  const pending = [];
  const cards = connections.map((conn, ci) => {
    const sum = summaries.get(conn.name);
    const sides = Array.isArray(conn.sides) ? conn.sides : [];
    const sideEls = sides.map((side, si) => {
      const who = `${side.node} (${side.endpoint})`;
      const head = h('h4', null, si === 0 ? `${who} — opened the connection` : `${who} — answered`);
      const facts = h('p', {class: 'side-facts'}, sideFacts(side));
      if (!sentData(side)) return h('div', {class: 'side'}, head, facts, controlList(model, side));
      const range = axisRange(side);
      const seqCanvas = h('canvas', {
        'data-chart': 'tcp-seq', 'data-conn': conn.name, 'data-side': si,
        role: 'img', 'aria-label': `Time-sequence graph of the data ${side.node} sent: ${sideFacts(side)}`,
      });
      const winCanvas = h('canvas', {
        'data-chart': 'tcp-window', 'data-conn': conn.name, 'data-side': si,
        role: 'img', 'aria-label': `Congestion window and smoothed RTT of ${side.node} over time`,
      });
      const hasWindow = (side.window || []).length > 0;
      const el = h('div', {class: 'side'}, head, facts,
        h('div', {class: 'chart-box seq'}, seqCanvas),
        hasWindow ? h('div', {class: 'chart-box win'}, winCanvas)
          : h('p', {class: 'muted'}, 'No congestion-window samples for this side.'));
      pending.push({
        connIndex: ci,
        el,
        draw: () => {
          seqChart(model, seqCanvas, side, range);
          if (hasWindow) windowChart(model, winCanvas, side, range);
        },
      });
      return el;
    });
    const anyData = sides.some(sentData);
    return h('article', {class: 'conn', id: `conn-${connId(conn.name)}`},
      h('h3', null, prettyArrow(conn.name)),
      h('p', {class: 'conn-facts'},
        sum ? `3-way handshake ${fmtDuration(sum.handshake_ns)} · transfer ${fmtDuration(sum.transfer_ns)}` : '',
        anyData ? '' : (sum ? ' · ' : '') + 'no data was sent: only the handshake and the close'),
      h('div', {class: 'sides'}, sideEls));
  });

  // Draw the first connections' charts once the section is in the document,
  // the rest when they come near the screen (or before printing).
  const later = [];
  const drawAll = () => {
    for (const job of later.splice(0)) job.draw();
  };
  const start = () => {
    for (const job of pending) {
      if (job.connIndex < EAGER_CONNECTIONS || typeof IntersectionObserver === 'undefined') job.draw();
      else later.push(job);
    }
    if (!later.length) return;
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        const i = later.findIndex((job) => job.el === entry.target);
        if (i >= 0) later.splice(i, 1)[0].draw();
        observer.unobserve(entry.target);
      }
    }, {rootMargin: '800px 0px'});
    for (const job of later) observer.observe(job.el);
    window.addEventListener('beforeprint', drawAll);
  };

  const el = section('tcp', 'TCP connections',
    'For each side that sent data: its time-sequence graph (each mark is a segment, at the first byte it carries, with a bar up to its last; the green line is what the other side acknowledged — a segment is safe once the line reaches the top of its bar) and its congestion window and smoothed round-trip time over the same time. Click a mark to open its packet.',
    connections.length ? cards : h('p', {class: 'muted'}, 'No TCP connection in this run.'));
  return {el, start};
}
