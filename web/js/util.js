// The JSON API (/api/v1/<command>?<option>=<value>…), DOM helpers, CSV export and path parsing.
import { getLang } from './i18n.js';

const cache = new Map();

// The address of a command's JSON document: the CLI's option names without the leading "--".
export function apiUrl(command, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    q.set(k, v === true ? '1' : String(v));
  }
  const s = q.toString();
  return `/api/v1/${command}${s ? '?' + s : ''}`;
}

// The address of a command's table as the CLI's `--format csv|xlsx` writes it (server/export.h),
// with the reasons in the console's language.
export function exportUrl(command, params, format = 'xlsx') {
  return apiUrl(command, { ...params, lang: getLang(), format });
}

export class ApiError extends Error {
  constructor(status, doc) {
    const e = (doc && doc.error) || {};
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code;
    this.suggestions = e.suggestions || [];
  }
}

// Fetches a document once per address (the data is an immutable snapshot while the page lives).
// The reasons (why) come in the console's language: lang=zh|en.
export function api(command, params = {}) {
  const url = apiUrl(command, { ...params, lang: getLang() });
  if (!cache.has(url)) {
    const p = fetch(url, { headers: { Accept: 'application/json' } }).then(async (r) => {
      let doc = null;
      try { doc = await r.json(); } catch (_) { doc = null; }
      if (!r.ok || !doc || doc.error) throw new ApiError(r.status, doc);
      return doc;
    });
    p.catch(() => cache.delete(url));
    cache.set(url, p);
  }
  return cache.get(url);
}

// h('div.card', {onclick}, child, …): a small element builder. Strings become text nodes.
export function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag || 'div');
  if (classes.length) el.className = classes.join(' ');
  if (attrs !== undefined && attrs !== null && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs); // a child (text, number, node or list) in the place of the attributes
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function fmt(x, digits = 3) {
  if (x === null || x === undefined) return '–';
  if (typeof x !== 'number') return String(x);
  return Number.isInteger(x) ? String(x) : x.toFixed(digits);
}

// The key of an id such as "enterprise:E0013" or "region:330122".
export function keyOf(id) { const i = String(id).indexOf(':'); return i < 0 ? String(id) : String(id).slice(i + 1); }
export function kindOf(id) { const i = String(id).indexOf(':'); return i < 0 ? '' : String(id).slice(0, i); }

// CSV (RFC 4180) with a UTF-8 byte-order mark, so that Excel opens Chinese text correctly.
export function toCsv(header, rows) {
  const cell = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return '\uFEFF' + [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
export function download(filename, text, type = 'text/csv;charset=utf-8') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: filename });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// A path as the API prints it, "A —produces→ S ←needs— T", as nodes and directed links.
export function parsePath(path) {
  const re = /\s(—([a-z_]+)→|←([a-z_]+)—)\s/g;
  const nodes = [];
  const links = [];
  let last = 0;
  let m;
  const parts = [];
  while ((m = re.exec(path)) !== null) {
    parts.push(path.slice(last, m.index));
    parts.push(m[2] ? { kind: m[2], forward: true } : { kind: m[3], forward: false });
    last = re.lastIndex;
  }
  parts.push(path.slice(last));
  for (let i = 0; i < parts.length; i += 2) nodes.push(parts[i].trim());
  for (let i = 1; i < parts.length; i += 2) {
    const a = nodes[(i - 1) / 2];
    const b = nodes[(i + 1) / 2];
    const r = parts[i];
    links.push(r.forward ? { source: a, target: b, kind: r.kind } : { source: b, target: a, kind: r.kind });
  }
  return { nodes, links };
}

// Region hierarchy from GB/T 2260 codes: province XX0000, city XXXX00, county XXXXXX, park XXXXXX-Pnn.
export function parentCode(code, known) {
  const c = String(code);
  if (c.includes('-')) return c.split('-')[0];
  if (/^\d{6}$/.test(c)) {
    if (c.endsWith('0000')) return null;
    if (c.endsWith('00')) return c.slice(0, 2) + '0000';
    const city = c.slice(0, 4) + '00';
    if (!known || known.has(city)) return city;
    return c.slice(0, 2) + '0000';
  }
  return null;
}
// Is region `code` the region `within` or below it?
export function isWithin(code, within) {
  const c = String(code);
  const w = String(within);
  if (c === w || c.startsWith(w + '-')) return true;
  if (!/^\d{6}$/.test(w)) return false;
  if (w.endsWith('0000')) return c.startsWith(w.slice(0, 2));
  if (w.endsWith('00')) return c.startsWith(w.slice(0, 4));
  return false;
}
