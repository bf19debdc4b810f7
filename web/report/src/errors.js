// Errors must never pass silently: anything uncaught shows a red banner at the
// top of the page and goes to console.error, and the page is then not
// "ready" (document.body.dataset.ready stays unset), which the browser test
// and anyone automating the report can see. Imported first by main.js so the
// handlers are in place before anything else runs.

let failures = 0;

function banner() {
  let el = document.getElementById('error-banner');
  if (!el) {
    el = document.createElement('div');
    el.id = 'error-banner';
    el.setAttribute('role', 'alert');
    const title = document.createElement('strong');
    title.textContent = 'This report did not render completely. ';
    el.appendChild(title);
    const list = document.createElement('ul');
    el.appendChild(list);
    document.body.insertBefore(el, document.body.firstChild);
  }
  return el;
}

function describe(err) {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  if (err === undefined || err === null) return '';
  return String(err);
}

// Records a failure: banner, console.error, and the page stops being ready.
export function reportError(what, err) {
  failures += 1;
  console.error(`minternet report: ${what}`, err);
  delete document.body.dataset.ready;
  const detail = describe(err);
  const item = document.createElement('li');
  item.textContent = detail ? `${what} — ${detail}` : what;
  banner().querySelector('ul').appendChild(item);
}

export function failed() {
  return failures > 0;
}

window.addEventListener('error', (event) => {
  reportError('uncaught error', event.error || event.message);
});
window.addEventListener('unhandledrejection', (event) => {
  reportError('unhandled promise rejection', event.reason);
});
