// Tiny DOM builders: h('div', {class: 'x', onclick: f}, child, ...) and the same
// for SVG with s(). Children may be nodes, strings, numbers, arrays, or
// null/false (skipped). Text always goes in as text nodes, never as HTML, so
// nothing in the run's data can inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function apply(el, attrs) {
  if (!attrs) return;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'text') {
      el.textContent = String(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

// A section of the report: a titled card with a short explanation.
export function section(id, title, intro, ...children) {
  return h('section', {id, class: 'card', 'aria-labelledby': `${id}-title`},
    h('h2', {id: `${id}-title`}, title),
    intro ? h('p', {class: 'intro'}, intro) : null,
    ...children);
}

// Rough width of a text in pixels at a font size, for SVG layout before
// anything is in the document (a measured width would depend on the fonts).
export function textWidth(text, fontSize) {
  return String(text).length * fontSize * 0.6;
}
