// JSON API helpers: every error becomes an Error whose message is the server's "error" text.
export class ApiError extends Error {
  constructor(message, status, kind) { super(message); this.status = status; this.kind = kind; }
}

async function handle(response) {
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!response.ok) {
    const msg = body && body.error ? body.error : `HTTP ${response.status}: ${text.slice(0, 200)}`;
    throw new ApiError(msg, response.status, body && body.kind);
  }
  return body;
}

export async function getJson(url, options = {}) {
  return handle(await fetch(url, { signal: options.signal, headers: { Accept: 'application/json' } }));
}

// Every state-changing request carries this header (the server's CsrfGuard refuses POST/PUT/PATCH/DELETE without it;
// a page on another site cannot add it). Use postJson / postText, never a bare fetch, for requests that are not GET.
export const REQUEST_HEADER = { 'X-SarKit-Request': '1' };

export async function postJson(url, body, options = {}) {
  return handle(await fetch(url, {
    method: 'POST', signal: options.signal, credentials: 'same-origin', referrerPolicy: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...REQUEST_HEADER },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }));
}

// POST a text body (e.g. a Pulseq .seq file) as text/plain.
export async function postText(url, text, options = {}) {
  return handle(await fetch(url, {
    method: 'POST', signal: options.signal, credentials: 'same-origin', referrerPolicy: 'same-origin',
    headers: { 'Content-Type': 'text/plain; charset=utf-8', Accept: 'application/json', ...REQUEST_HEADER },
    body: text,
  }));
}

// Small DOM helper: el('div', {class: 'x', onclick: f}, child, 'text', ...)
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export function errorBox(err) { return el('div', { class: 'error', role: 'alert' }, err && err.message ? err.message : String(err)); }

// Number formatting: n significant digits, no locale surprises.
export function fmt(v, digits = 4) {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return Number(v.toPrecision(digits)).toString();
  return v.toExponential(digits - 1);
}
