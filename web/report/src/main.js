// The report's program: reads the run's data from #run-data (docs/report.md),
// draws every section into #app, and sets document.body.dataset.ready = "1"
// when done — only if nothing failed. Each section is drawn on its own, so a
// failing one leaves the others readable (and the red banner says what broke).

import {failed, reportError} from './errors.js';
import {h} from './dom.js';
import {buildModel} from './model.js';
import {renderHeader, renderSummary} from './summary.js';
import {renderTopology} from './topology.js';
import {renderSequence} from './sequence.js';
import {renderTcp} from './tcp_charts.js';
import {renderLinks} from './links.js';
import {renderTimeline} from './timeline.js';
import {renderPacketList} from './packet_list.js';
import {createPacketPanel, hashPacket} from './packet_panel.js';

const SECTIONS = [
  ['summary', 'Numbers'],
  ['topology', 'Network'],
  ['sequence', 'Sequence'],
  ['tcp', 'TCP'],
  ['links', 'Links'],
  ['timeline', 'Timeline'],
  ['packets', 'Packets'],
];

function readData() {
  const el = document.getElementById('run-data');
  if (!el) throw new Error('the page has no <script id="run-data"> with the run’s data');
  const data = JSON.parse(el.textContent);
  if (!data || typeof data !== 'object') throw new Error('the run’s data is not a JSON object');
  if (data.version !== 1) console.warn(`minternet report: data version ${data.version}, this page knows version 1`);
  return data;
}

function attempt(what, fn) {
  try {
    return fn();
  } catch (err) {
    reportError(`the ${what} could not be drawn`, err);
    return null;
  }
}

function main() {
  const app = document.getElementById('app');
  if (!app) throw new Error('the page has no <div id="app">');
  const data = readData();
  const model = buildModel(data);
  if (data.name) document.title = `minternet — ${data.name}`;

  const panel = attempt('packet panel', () => createPacketPanel(model));
  const parts = [
    attempt('header', () => renderHeader(model)),
    h('nav', {class: 'toc', 'aria-label': 'Sections'},
      h('ul', null, SECTIONS.map(([id, name]) => h('li', null, h('a', {href: `#${id}`}, name))))),
  ];
  const content = h('main', null);
  let tcp = null;
  const renderers = [
    ['summary', () => renderSummary(model)],
    ['network map', () => renderTopology(model)],
    ['sequence diagram', () => renderSequence(model)],
    ['TCP graphs', () => {
      tcp = renderTcp(model);
      return tcp.el;
    }],
    ['link statistics', () => renderLinks(model)],
    ['timeline', () => renderTimeline(model)],
    ['packet list', () => renderPacketList(model)],
  ];
  for (const [what, render] of renderers) {
    const el = attempt(what, render);
    if (el) content.appendChild(el);
  }
  parts.push(content);
  parts.push(h('footer', null, 'Made by minternet. Every number here is from the simulation’s virtual clock; the page needs no network.'));
  if (panel) parts.push(panel.el);
  app.append(...parts.filter(Boolean));

  // Charts need their canvases in the document to size themselves.
  if (tcp) attempt('TCP graphs', () => tcp.start());

  const n = hashPacket();
  if (n !== null) attempt('packet from the address', () => model.select(n, 'hash'));
}

try {
  main();
} catch (err) {
  reportError('the report could not be drawn', err);
}
// Errors thrown later in this task (and reported by the window handlers)
// still count: mark the page ready only after them.
setTimeout(() => {
  if (!failed()) document.body.dataset.ready = '1';
}, 0);
