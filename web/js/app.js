// The officer's console: one page, four views, every state in the address bar.
//   /?region=330122&track=endo            region view (chain panorama)
//   /?view=targets&region=330122&track=endo  gaps and investment targets
//   /?enterprise=E0013                    enterprise view (profile, partners, pairings)
//   /?view=analyst&region=330100          leaders and clusters
// `lang=en` switches to English (Chinese is the default; the choice is remembered).

import { t, code, setLang, getLang } from './i18n.js';
import { api, apiUrl, exportUrl, h, fmt, keyOf, kindOf, toCsv, download, parsePath, parentCode, isWithin, ApiError } from './util.js';

// The source name of the embedded default bundle (data/manifest.json): its enterprises and
// platforms are invented, so every figure from it carries the illustrative-data notice.
const ILLUSTRATIVE_SOURCES = new Set(['zhejiang-medical-devices']);
// `targets --within REGION` on the API (the server filters; several regions comma-separated).
const TARGETS_TAKE_WITHIN = true;
// Tag filters on targets, and how many candidate profiles the console reads to apply them.
const TAG_FILTERS = ['listed', 'specialised', 'little_giant', 'high_tech', 'chain_leader', 'foreign_funded', 'startup'];
const PROFILE_LIMIT = 400;
const VIEWS = ['region', 'targets', 'enterprise', 'analyst'];
const STATUSES = ['missing', 'weak', 'strong', 'extension', 'absent'];
const POSITIONS = ['upstream', 'midstream', 'downstream'];

window.__console = { timings: {}, renders: 0 };
let renderSeq = 0;
const charts = new Set();

// ---- state and addresses ------------------------------------------------------------------

function readState() {
  const q = new URLSearchParams(location.search);
  const s = Object.fromEntries(q.entries());
  if (!s.view) s.view = s.enterprise && !s.region ? 'enterprise' : 'region';
  if (!VIEWS.includes(s.view) && s.view !== 'brief') s.view = 'region';
  return s;
}
function href(state) {
  const q = new URLSearchParams();
  const order = ['view', 'region', 'track', 'enterprise', 'role', 'kind', 'within', 'top', 'include_known', 'tag', 'above_scale', 'segment', 'compare', 'metric', 'level', 'measure', 'lang'];
  const st = { ...state };
  if (st.view === 'region' || (st.view === 'enterprise' && st.enterprise && !st.region)) delete st.view;
  for (const k of order) if (st[k] !== undefined && st[k] !== null && st[k] !== '') q.set(k, st[k]);
  const s = q.toString();
  return '/' + (s ? '?' + s : '');
}
function go(patch, replace = false) {
  const state = { ...readState(), ...patch };
  for (const k of Object.keys(state)) if (state[k] === undefined || state[k] === null || state[k] === '') delete state[k];
  if (!state.lang && getLang() === 'en') state.lang = 'en';
  const url = href(state);
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  render();
}
function link(state, text, cls) {
  const a = h('a' + (cls ? '.' + cls : ''), { href: href({ ...state, lang: getLang() === 'en' ? 'en' : undefined }) }, text);
  a.addEventListener('click', (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    go({ view: undefined, region: undefined, track: undefined, enterprise: undefined, role: undefined, kind: undefined,
      within: undefined, top: undefined, include_known: undefined, tag: undefined, above_scale: undefined, segment: undefined, compare: undefined, metric: undefined,
      level: undefined, measure: undefined, ...state });
  });
  return a;
}
function entityLink(item) {
  const id = item.id || '';
  const k = kindOf(id);
  if (k === 'enterprise') return link({ enterprise: keyOf(id) }, item.name);
  if (k === 'region') return link({ region: keyOf(id) }, item.name);
  return h('span', { title: id }, item.name);
}

// ---- page frame -----------------------------------------------------------------------------

function frame(state) {
  document.title = t('title');
  const nav = document.getElementById('nav');
  nav.replaceChildren(...VIEWS.map((v) => {
    const st = { view: v, region: state.region, track: state.track, enterprise: state.enterprise };
    if (v === 'region' && !state.region) st.region = undefined;
    const a = link(st, t('nav.' + v), v === state.view ? 'active' : '');
    a.dataset.view = v;
    return a;
  }));
  const lang = document.getElementById('lang');
  lang.textContent = t('lang.switch');
  lang.onclick = () => {
    const next = getLang() === 'zh' ? 'en' : 'zh';
    setLang(next);
    try { localStorage.setItem('chainatlas.lang', next); } catch (_) { /* private mode */ }
    go({ lang: next === 'en' ? 'en' : undefined }, true);
  };
  document.getElementById('brand').textContent = t('brand');
}

function setJsonLink(url) {
  const a = document.getElementById('json-link');
  a.textContent = url ? `${t('json')}: ${url}` : '';
  a.href = url || '#';
  a.hidden = !url;
}

// Provenance and the illustrative-data notice, from a `show` document (its provenance block).
function setProvenance(doc) {
  const el = document.getElementById('provenance');
  const notice = document.getElementById('notice');
  const p = doc && doc.provenance;
  if (!p) { el.textContent = ''; notice.hidden = true; return; }
  const when = p.imported_at ? p.imported_at.replace('T', ' ').replace('Z', ' UTC') : '–';
  el.textContent = `${t('prov.label')}: ${p.source} · ${t('prov.imported')}: ${when} · ${t('prov.import')} #${p.import}`;
  const illustrative = ILLUSTRATIVE_SOURCES.has(p.source) || (doc.node && doc.node.illustrative);
  notice.hidden = !illustrative;
  notice.textContent = illustrative ? t('notice.illustrative') : '';
}

function card(title, tools, ...body) {
  return h('section.card', h('h2', title, tools && h('span.tools', tools)), ...body);
}
// A table's tools: the CSV of the page's table, the XLSX the API writes for it (`xlsx`: the address
// from exportUrl, the table the CLI's --format xlsx writes) and the JSON document.
function tools({ json, csv, xlsx }) {
  const out = [];
  if (csv) out.push(h('button.export', { type: 'button', onclick: () => { const c = csv(); download(c.name, toCsv(c.header, c.rows)); } }, t('export')));
  if (xlsx) out.push(xlsxLink(xlsx));
  if (json) out.push(h('a.json', { href: json, target: '_blank', rel: 'noopener' }, 'JSON'));
  return out;
}
function xlsxLink(url) {
  return h('a.export-xlsx', { href: url, download: '', title: t('export.xlsx_title') }, t('export.xlsx'));
}
function errorBox(e) {
  const msg = e instanceof ApiError ? `${e.status} ${e.code || ''}: ${e.message}` : String(e && e.message || e);
  return h('div.error', `${t('error')} — ${msg}`, e.suggestions && e.suggestions.length ? h('ul', e.suggestions.map((s) => h('li', s))) : null);
}

// ECharts (1 MB) is loaded on first use, so that it never delays the region view's panorama.
let echartsP = null;
function loadEcharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  if (!echartsP) {
    echartsP = new Promise((resolve, reject) => {
      const s = h('script', { src: '/vendor/echarts.min.js' });
      s.onload = () => resolve(window.echarts);
      s.onerror = () => { echartsP = null; reject(new Error('/vendor/echarts.min.js did not load')); };
      document.head.append(s);
    });
  }
  return echartsP;
}
async function makeChart(el) {
  const echarts = await loadEcharts();
  if (!el.isConnected) return null;
  const c = echarts.init(el, null, { renderer: 'canvas' });
  charts.add(c);
  return c;
}
// Charts follow the window's size (debounced). ECharts 6.1 can throw from resize() while a force
// layout is settling (a transient singular view transform); the chart recovers on its next frame,
// so such an error is logged as a warning instead of escaping as a page error.
let resizeTimer = null;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => charts.forEach((c) => {
    try { if (!c.isDisposed()) c.resize(); } catch (e) { console.warn('chart resize:', e); }
  }), 100);
});

// ---- regions --------------------------------------------------------------------------------

let regionIndex = null;
async function regions() {
  if (regionIndex) return regionIndex;
  const stats = await api('stats');
  const byCode = new Map(stats.regions.map((r) => [r.code, r]));
  const known = new Set(byCode.keys());
  const children = new Map();
  for (const r of stats.regions) {
    const p = parentCode(r.code, known);
    if (p) { if (!children.has(p)) children.set(p, []); children.get(p).push(r); }
  }
  regionIndex = { stats, byCode, children, provinces: stats.regions.filter((r) => r.level === 'province') };
  return regionIndex;
}
function resolveRegion(index, text) {
  const s = String(text || '').trim();
  if (!s) return null;
  if (index.byCode.has(s)) return index.byCode.get(s);
  const k = keyOf(s);
  if (index.byCode.has(k)) return index.byCode.get(k);
  const all = index.stats.regions;
  return all.find((r) => r.name === s) || all.find((r) => r.name.startsWith(s)) || all.find((r) => r.name.includes(s)) || null;
}
function ancestry(index, code) {
  const chain = [];
  let c = code;
  const known = new Set(index.byCode.keys());
  while (c) { chain.unshift(c); c = parentCode(c, known); }
  return chain;
}

// Province → city → county selects, and a search box over the regions the data holds.
function regionPicker(index, state, onPick) {
  const chain = state.region ? ancestry(index, state.region) : [];
  const mk = (label, options, selected, level) => {
    const sel = h('select', { 'aria-label': label, dataset: { level } },
      h('option', { value: '' }, `— ${label} —`),
      options.map((r) => h('option', { value: r.code, selected: r.code === selected }, `${r.name} (${r.code})`)));
    sel.addEventListener('change', () => { if (sel.value) onPick(sel.value); });
    return sel;
  };
  const prov = chain[0];
  const cities = prov ? (index.children.get(prov) || []).filter((r) => r.level !== 'park') : [];
  const city = chain[1] && index.byCode.get(chain[1])?.level === 'city' ? chain[1] : null;
  const counties = city ? (index.children.get(city) || []) : cities.filter((r) => r.level === 'county');
  const county = chain.find((c) => index.byCode.get(c)?.level === 'county') || null;
  const search = h('input', { type: 'search', placeholder: t('region.search'), list: 'region-list', size: 24 });
  const dl = h('datalist', { id: 'region-list' }, index.stats.regions.map((r) => h('option', { value: r.name }, r.code)));
  const msg = h('span.muted');
  const submit = () => {
    const r = resolveRegion(index, search.value);
    if (r) onPick(r.code); else msg.textContent = t('region.nomatch');
  };
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') submit(); });
  return h('div.row.picker',
    h('strong', t('region.pick')),
    mk(t('region.province'), index.provinces, prov, 'province'),
    mk(t('region.city'), cities.filter((r) => r.level === 'city'), city, 'city'),
    mk(t('region.county'), counties.filter((r) => r.level === 'county' || r.level === 'park'), county, 'county'),
    search, dl, h('button.primary', { type: 'button', onclick: submit }, t('region.go')), msg);
}

function trackTabs(tracks, current, onPick) {
  return h('div.tabs.tracks', tracks.map((tr) => h('button', {
    type: 'button', class: tr.id === current ? 'active' : '', dataset: { track: tr.id },
    onclick: () => onPick(tr.id),
  }, `${tr.name}${tr.enterprises ? ` (${tr.enterprises})` : ''}`)));
}
function defaultTrack(regionStats) {
  const tr = [...regionStats.tracks].sort((a, b) => b.enterprises - a.enterprises || b.produces - a.produces);
  return tr.length ? tr[0].id : undefined;
}

// ---- region view ----------------------------------------------------------------------------

async function regionView(root, state, seq) {
  // Everything the view needs is requested at once; the chain waits for the region's statistics
  // only when the address names no track.
  const early = state.region ? {
    rstats: api('stats', { region: state.region }),
    shown: api('show', { id: 'region:' + state.region }),
    chain: state.track ? api('chain', { region: state.region, track: state.track }) : null,
  } : null;
  if (early) for (const p of Object.values(early)) if (p) p.catch(() => {});
  // The picker fills in when the list of regions arrives; the panorama does not wait for it.
  const pick = (code) => go({ view: 'region', region: code, segment: undefined });
  const pickerBody = h('div.row.picker', h('span.muted', t('loading')));
  root.append(card(t('nav.region'), null, pickerBody));
  const pickerDone = regions().then((index) => {
    if (seq === renderSeq) pickerBody.replaceWith(regionPicker(index, state, pick));
  });
  if (!state.region) {
    await pickerDone;
    const index = await regions();
    if (seq !== renderSeq) return;
    // The landing page: the counties holding the most enterprises, one click away.
    const top = index.stats.regions.filter((r) => r.level === 'county').sort((a, b) => b.enterprise - a.enterprise).slice(0, 12);
    root.append(card(t('region.busiest'), tools({ json: apiUrl('stats') }),
      h('p.muted', t('region.noselect')),
      h('ul.quick', top.map((r) => h('li', link({ region: r.code }, `${r.name} (${r.code})`), ` · ${t('count.enterprise')} ${r.enterprise}`)))));
    setJsonLink(apiUrl('stats'));
    if (top.length) api('show', { id: 'region:' + top[0].code }).then((d) => { if (seq === renderSeq) setProvenance(d); }).catch(() => {});
    return;
  }
  pickerDone.catch((e) => pickerBody.replaceChildren(errorBox(e)));
  const region = state.region;
  window.__console.timings.regions = performance.now();
  const [rstats, shown] = await Promise.all([early.rstats, early.shown]);
  const track = state.track || defaultTrack(rstats);
  const chainP = early.chain || api('chain', { region, track });
  if (seq !== renderSeq) return;
  setProvenance(shown);
  root.append(statsCard(rstats, shown));
  root.lastChild.querySelector('.tools').prepend(link({ view: 'brief', region, track }, t('brief.open'), 'brief-link'));
  const chainUrl = apiUrl('chain', { region, track });
  setJsonLink(chainUrl);
  const pano = h('div.pano-body', h('p.muted', t('loading')));
  root.append(card(`${t('panorama')} · ${shown.node.name}`, tools({
    json: chainUrl,
    csv: () => chainCsv(chainDoc, shown),
    xlsx: exportUrl('chain', { region, track }),
  }), trackTabs(rstats.tracks, track, (id) => go({ track: id, segment: undefined })), pano));
  let chainDoc;
  try { chainDoc = await chainP; } catch (e) { pano.replaceChildren(errorBox(e)); return; }
  if (seq !== renderSeq) return;
  window.__console.timings.chain = performance.now();
  renderPanorama(pano, chainDoc, state, region, track);
  root.append(await indicatorsCard(region, shown));
}

// A plan's targets file, as the CLI's `indicators --targets` reads it: `indicator,target[,note]`
// with a header line; lines starting with # are comments.
export function parseTargets(text) {
  const out = new Map();
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith('#'));
  for (const line of rows) {
    const cells = [];
    let cur = '';
    let quoted = false;
    for (let k = 0; k < line.length; k++) {
      const ch = line[k];
      if (quoted) {
        if (ch === '"' && line[k + 1] === '"') { cur += '"'; k++; } else if (ch === '"') quoted = false; else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { cells.push(cur); cur = ''; } else cur += ch;
    }
    cells.push(cur);
    const target = parseFloat(cells[1]);
    if (cells[0].trim() === 'indicator' || Number.isNaN(target)) continue;
    out.set(cells[0].trim(), { target, note: (cells.slice(2).join(',') || '').trim() });
  }
  return out;
}

async function indicatorsCard(region, shown) {
  const url = apiUrl('indicators', { region });
  let doc;
  try { doc = await api('indicators', { region }); } catch (e) { return card(t('indicators'), null, errorBox(e)); }
  const label = (i) => { const k = 'ind.' + i.name; const s = t(k); return s === k ? i.description : s; };
  let items = doc.indicators.map((i) => ({ ...i }));
  const tbody = h('tbody');
  const note = h('p.muted');
  const draw = () => {
    const hasTargets = items.some((i) => i.target !== null && i.target !== undefined);
    tbody.replaceChildren(...items.map((i) => h('tr', { dataset: { name: i.name } }, h('td', label(i)), h('td.num', fmt(i.value, 1)), h('td.num', fmt(i.target, 1)),
      h('td.num', i.progress === null || i.progress === undefined ? '–' : `${fmt(i.progress * 100, 0)}%`),
      h('td', i.progress === null || i.progress === undefined ? '' : h('progress', { max: 1, value: Math.min(1, i.progress) })),
      h('td.num', i.of ? `${i.reported_by}/${i.of}` : ''), h('td.muted', i.note || ''))));
    note.textContent = hasTargets ? '' : t('ind.note');
  };
  const file = h('input', { type: 'file', accept: '.csv,text/csv', name: 'targets-file' });
  file.addEventListener('change', async () => {
    if (!file.files.length) return;
    const targets = parseTargets(await file.files[0].text());
    items = doc.indicators.map((i) => {
      const tg = targets.get(i.name);
      return tg ? { ...i, target: tg.target, progress: tg.target > 0 ? i.value / tg.target : 0, note: tg.note } : { ...i };
    });
    draw();
  });
  const csv = () => ({
    name: `${region}-indicators.csv`,
    header: [t('indicators'), 'code', t('ind.value'), t('ind.target'), t('ind.progress'), t('ind.reported'), t('ind.note_col')],
    rows: items.map((i) => [label(i), i.name, i.value, i.target ?? '', i.progress ?? '', i.of ? `${i.reported_by}/${i.of}` : '', i.note || '']),
  });
  draw();
  return card(`${t('indicators')} · ${shown.node.name}`, tools({ json: url, csv, xlsx: exportUrl('indicators', { region }) }),
    h('div.row', h('label', t('ind.file') + ' ', file)),
    h('table.indicators', h('thead', h('tr', [t('indicators'), t('ind.value'), t('ind.target'), t('ind.progress'), '', t('ind.reported'), t('ind.note_col')].map((x) => h('th', x)))),
      tbody),
    note);
}

function statsCard(rstats, shown) {
  const me = rstats.regions.find((r) => r.code === rstats.region) || rstats.regions[0] || {};
  const parks = rstats.regions.filter((r) => r.level === 'park');
  const kinds = ['enterprise', 'hospital', 'institution', 'platform'];
  const path = [];
  const csv = () => ({
    name: `${me.code}-stats.csv`,
    header: [t('region'), t('attr.level'), ...kinds.map((k) => t('count.' + k))],
    rows: rstats.regions.map((r) => [`${r.name} (${r.code})`, code('level', r.level), ...kinds.map((k) => r[k])]),
  });
  return card(`${t('region.stats')} · ${me.name || ''} (${me.code || ''}) · ${code('level', me.level)}`, tools({ json: apiUrl('stats', { region: rstats.region }), csv }),
    h('div.kpis', kinds.map((k) => h('div.kpi', h('b', fmt(me[k])), t('count.' + k)))),
    parks.length ? h('p', h('strong', t('region.parks') + ': '), parks.map((p, i) => [i ? '、' : '', `${p.name}（${t('count.enterprise')} ${p.enterprise}）`])) : null,
    h('details', h('summary', t('region.tracks')),
      h('table', h('thead', h('tr', h('th', t('track.pick')), h('th', t('track.enterprises')), h('th', t('track.produces')), h('th', t('track.segments')))),
        h('tbody', rstats.tracks.map((tr) => h('tr', h('td', tr.name), h('td.num', tr.enterprises), h('td.num', tr.produces), h('td.num', tr.segments)))))),
    path);
}

function legend(counts) {
  return h('div.legend', STATUSES.filter((s) => !counts || counts[s] !== undefined).map((s) =>
    h('span.status-' + s, { style: { '--c': `var(--${s})` } }, `${code('status', s)}${counts ? ` ${counts[s]}` : ''}`)));
}

function renderPanorama(el, doc, state, region, track) {
  const cols = Object.fromEntries(POSITIONS.map((p) => [p, h('div.column', { dataset: { position: p } }, h('h3', code('position', p)))]));
  const detail = h('div.detail', h('p.muted', t('seg.click')));
  let group = null;
  const cards = [];
  for (const s of doc.segments) {
    const pos = POSITIONS.includes(s.position) ? s.position : 'midstream';
    const c = h(`div.seg.status-${s.status}${s.depth > 1 ? '.child' : ''}`, {
      dataset: { id: s.id, status: s.status }, tabindex: 0, title: s.id,
    },
    h('span.status', code('status', s.status)),
    h('div.sname', s.name),
    h('div.nums', `${t('seg.local')} ${s.local_producers.length} · ${t('seg.elsewhere')} ${s.producers_elsewhere} · ${t('seg.demand')} ${s.local_buyers.length + s.local_hospitals.length}`));
    c.addEventListener('click', (e) => {
      cards.forEach((x) => x.classList.toggle('selected', x === c));
      history.replaceState(null, '', href({ ...readState(), segment: keyOf(s.id) }));
      showSegment(detail, s, region, track);
      if (e.isTrusted) detail.scrollIntoView({ block: 'nearest' });
    });
    c.addEventListener('keydown', (e) => { if (e.key === 'Enter') c.click(); });
    cards.push(c);
    if (s.depth <= 1 || !group) { group = h('div.group'); cols[pos].append(group); }
    group.append(c);
  }
  el.replaceChildren(
    h('div.row', h('span', `${t('completeness')}: ${fmt(doc.completeness * 100, 1)}%`), h('span', `${t('weighted_completeness')}: ${fmt(doc.weighted_completeness * 100, 1)}%`)),
    legend(doc.counts),
    h('div.panorama', { id: 'panorama' }, POSITIONS.map((p) => cols[p])),
    detail);
  el.querySelector('.panorama').dataset.ready = '1';
  window.__console.timings.panorama = performance.now();
  setTimeout(() => loadEcharts().catch(() => {}), 0);
  if (state.segment) {
    const c = cards.find((x) => keyOf(x.dataset.id) === state.segment);
    if (c) c.click();
  }
}

async function showSegment(el, s, region, track) {
  const people = (list) => list.length ? h('ul', list.map((x) => h('li', entityLink(x)))) : h('p.muted', t('none'));
  const elsewhere = h('div', h('p.muted', t('loading')));
  el.replaceChildren(
    h('h3', h(`span.badge.status-${s.status}`, code('status', s.status)), ' ', s.name, ' ', h('span.muted', `(${code('position', s.position)})`)),
    h('p', `${t('seg.lq')}: ${fmt(s.location_quotient, 2)} · ${t('seg.density')}: ${fmt(s.density, 2)} · ${t('seg.score')}: ${fmt(s.score, 3)}`),
    h('div.grid2',
      h('div', h('h4', `${t('seg.makers_local')} (${s.local_producers.length})`), people(s.local_producers)),
      h('div', h('h4', `${t('seg.makers_elsewhere')} (${s.producers_elsewhere})`), elsewhere)),
    h('div.grid2',
      h('div', h('h4', `${t('seg.buyers')} (${s.local_buyers.length})`), people(s.local_buyers)),
      h('div', h('h4', `${t('seg.hospital_users')} (${s.local_hospitals.length})`), people(s.local_hospitals))),
    s.why && s.why.length ? h('div', h('h4', t('seg.why')), h('ul.why', s.why.map((w) => h('li', w)))) : null,
    ['missing', 'weak', 'extension'].includes(s.status)
      ? h('p', link({ view: 'targets', region, track: keyOf(s.id) }, t('seg.targets'))) : null);
  try {
    const doc = await api('show', { id: s.id });
    const local = new Set(s.local_producers.map((x) => x.id));
    if (getLang() === 'en' && doc.node.name_en) el.querySelector('h3').append(' ', h('span.muted', doc.node.name_en));
    const makers = doc.in.filter((e) => e.kind === 'produces' && !local.has(e.source)).map((e) => ({ id: e.source, name: e.name }));
    elsewhere.replaceChildren(people(makers));
    elsewhere.classList.add('makers-elsewhere');
  } catch (e) { elsewhere.replaceChildren(errorBox(e)); }
}

function chainCsv(doc, shown) {
  return {
    name: `${shown.node.key}-${keyOf(doc.track ? doc.track.id : 'all')}-chain.csv`,
    header: [t('segment'), 'id', t('position'), t('status'), t('seg.local'), t('seg.elsewhere'), t('seg.demand'), t('seg.hospitals'), t('seg.lq'), t('seg.score')],
    rows: doc.segments.map((s) => [s.name, keyOf(s.id), code('position', s.position), code('status', s.status), s.local_producers.length,
      s.producers_elsewhere, s.local_buyers.length, s.local_hospitals.length, fmt(s.location_quotient, 3), fmt(s.score, 4)]),
  };
}

// ---- gaps and targets -----------------------------------------------------------------------

async function stackedBars(el, items, label) {
  const chart = await makeChart(el);
  if (!chart) return;
  const names = [...new Set(items.flatMap((i) => i.components.map((c) => c.name)))];
  const cats = items.map(label).reverse();
  chart.setOption({
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: cats, axisLabel: { width: 220, overflow: 'truncate' } },
    series: names.map((n) => ({
      name: code('component', n), type: 'bar', stack: 'score', emphasis: { focus: 'series' },
      data: items.map((i) => { const c = i.components.find((x) => x.name === n); return c ? +c.points.toFixed(4) : 0; }).reverse(),
    })),
  });
}

function componentText(components) {
  return components.map((c) => `${code('component', c.name)} ${fmt(c.points, 3)}`).join(' + ');
}

async function pathGraph(el, paths) {
  const chart = await makeChart(el);
  if (!chart) return;
  const pos = new Map();
  const links = [];
  paths.forEach((p, row) => {
    const g = parsePath(p);
    g.nodes.forEach((n, col) => { if (!pos.has(n)) pos.set(n, [col * 200, row * 70]); });
    for (const l of g.links) links.push({ source: l.source, target: l.target, value: l.kind, label: { show: true, formatter: code('relation', l.kind) } });
  });
  chart.setOption({
    tooltip: {},
    series: [{
      type: 'graph', layout: 'none', roam: true, symbolSize: 14, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 8,
      label: { show: true, position: 'bottom', width: 150, overflow: 'break', fontSize: 11 },
      edgeLabel: { fontSize: 10 },
      data: [...pos.entries()].map(([name, [x, y]]) => ({ name, x, y })),
      links, lineStyle: { color: '#8aa', curveness: 0.05 },
    }],
  });
}

// A ranked table whose rows open their paths (as a graph) and reasons.
function rankedTable(items, columns, { extra } = {}) {
  const tbody = h('tbody');
  for (const it of items) {
    const tr = h('tr.clickable', { dataset: { id: it.id } }, columns.map((c) => h('td' + (c.num ? '.num' : ''), c.cell(it))));
    let open = null;
    tr.addEventListener('click', (e) => {
      if (e.target.closest('a')) return;
      if (open) { open.remove(); open = null; tr.classList.remove('open'); return; }
      tr.classList.add('open');
      const g = h('div.pathgraph');
      open = h('tr.expand', h('td', { colspan: columns.length },
        h('strong', t('paths')), h('ul', it.paths.map((p) => h('li', p))), it.paths.length ? g : null,
        extra ? extra(it) : null,
        h('strong', t('why')), h('ul.why', it.why.map((w) => h('li', w)))));
      tr.after(open);
      if (it.paths.length) pathGraph(g, it.paths).catch(console.warn);
    });
    tbody.append(tr);
  }
  return h('div', h('p.muted', t('row.click')),
    h('table.ranked', h('thead', h('tr', columns.map((c) => h('th', c.title)))), tbody));
}
function rankedCsv(name, items, columns) {
  return {
    name,
    header: [...columns.map((c) => c.title), t('components'), t('paths'), t('why')],
    rows: items.map((it) => [...columns.map((c) => c.text ? c.text(it) : it[c.key]), componentText(it.components), it.paths.join(' | '), it.why.join(' | ')]),
  };
}

async function targetsView(root, state, seq) {
  const index = await regions();
  if (seq !== renderSeq) return;
  root.append(card(t('nav.targets'), null, regionPicker(index, state, (c) => go({ view: 'targets', region: c }))));
  if (!state.region) { root.append(h('p.muted', t('region.noselect'))); setJsonLink(apiUrl('stats')); return; }
  const region = state.region;
  const [rstats, shown] = await Promise.all([api('stats', { region }), api('show', { id: 'region:' + region })]);
  if (seq !== renderSeq) return;
  setProvenance(shown);
  const track = state.track || defaultTrack(rstats);
  const trackRoot = track && track.includes('.') ? track.split('.')[0] : track;
  const tabs = trackTabs(rstats.tracks, trackRoot, (id) => go({ track: id }));

  // Gaps by priority.
  const gapsUrl = apiUrl('gaps', { region, track: trackRoot });
  const gapsBody = h('div', h('p.muted', t('loading')));
  let gapItems = [];
  root.append(card(`${t('gaps')} · ${shown.node.name}`, tools({
    json: gapsUrl,
    xlsx: exportUrl('gaps', { region, track: trackRoot }),
    csv: () => ({
      name: `${region}-${trackRoot}-gaps.csv`,
      header: [t('rank'), t('segment'), 'id', t('status'), t('position'), t('seg.score'), t('components'), t('seg.local'), t('seg.elsewhere'), t('seg.demand'), t('why')],
      rows: gapItems.map((s, i) => [i + 1, s.name, keyOf(s.id), code('status', s.status), code('position', s.position), fmt(s.score, 4), componentText(s.components),
        s.local_producers.length, s.producers_elsewhere, s.local_buyers.length, s.why.join(' | ')]),
    }),
  }), tabs, gapsBody));

  // Targets with filters.
  const within = state.within || '';
  const top = Math.max(1, Math.min(10000, parseInt(state.top || '20', 10) || 20));
  const includeKnown = state.include_known === '1';
  const wIn = h('input', { type: 'text', name: 'within', value: within, placeholder: t('targets.within_ph'), list: 'region-list-t' });
  const wList = h('datalist', { id: 'region-list-t' }, index.stats.regions.map((r) => h('option', { value: r.name }, r.code)));
  const topIn = h('input', { type: 'number', name: 'top', min: 1, max: 10000, value: top, style: { width: '6em' } });
  const knownIn = h('input', { type: 'checkbox', name: 'include_known', checked: includeKnown });
  const tag = TAG_FILTERS.includes(state.tag) ? state.tag : '';
  const aboveScale = state.above_scale === '1';
  const tagIn = h('select', { name: 'tag' }, h('option', { value: '' }, t('targets.any')),
    TAG_FILTERS.map((x) => h('option', { value: x, selected: x === tag }, code('tag', x))));
  const scaleIn = h('input', { type: 'checkbox', name: 'above_scale', checked: aboveScale });
  const apply = () => go({ within: wIn.value.trim() || undefined, top: topIn.value || undefined, include_known: knownIn.checked ? '1' : undefined,
    tag: tagIn.value || undefined, above_scale: scaleIn.checked ? '1' : undefined });
  const filters = h('div.row.filters',
    h('label', t('targets.within') + ' ', wIn), wList,
    h('label', t('targets.tag') + ' ', tagIn),
    h('label', scaleIn, ' ' + t('targets.above_scale')),
    h('label', t('targets.top') + ' ', topIn),
    h('label', knownIn, ' ' + t('targets.include_known')),
    h('button.primary', { type: 'button', onclick: apply }, t('targets.apply')));
  wIn.addEventListener('keydown', (e) => { if (e.key === 'Enter') apply(); });
  const tBody = h('div', h('p.muted', t('loading')));
  const chartEl = h('div.chart');
  let tItems = [];
  let tUrl = apiUrl('targets', { region, track, top, include_known: includeKnown });
  const columns = [
    { title: t('rank'), key: 'rank', cell: (i) => i.rank, num: true },
    { title: t('name'), key: 'name', cell: (i) => entityLink(i) },
    { title: t('region'), cell: (i) => `${i.region.name} (${keyOf(i.region.id)})`, text: (i) => `${i.region.name} (${keyOf(i.region.id)})` },
    { title: t('score'), cell: (i) => fmt(i.score, 3), text: (i) => fmt(i.score, 4), num: true },
    { title: t('via'), cell: (i) => i.via.map((v) => v.name).join('、'), text: (i) => i.via.map((v) => v.name).join('、') },
    { title: t('known'), cell: (i) => (i.known ? t('yes') : t('no')), text: (i) => (i.known ? t('yes') : t('no')) },
  ];
  const jsonA = h('a.json', { href: tUrl, target: '_blank', rel: 'noopener' }, 'JSON');
  // The XLSX is the API's ranking: with a tag or size filter (applied here, from the profiles) it
  // would not be the table shown, so the link is left out then.
  const wPick = within ? resolveRegion(index, within) : null;
  const xlsxA = tag || aboveScale ? null
    : xlsxLink(exportUrl('targets', { region, track, within: within ? (wPick ? wPick.code : within) : undefined, top, include_known: includeKnown }));
  root.append(card(`${t('targets')} · ${shown.node.name}`, [
    h('button.export', { type: 'button', onclick: () => { const c = rankedCsv(`${region}-${keyOf(track || 'all')}-targets.csv`, tItems, columns); download(c.name, toCsv(c.header, c.rows)); } }, t('export')),
    xlsxA,
    jsonA,
  ], filters, h('h3', t('targets.chart')), chartEl, tBody));
  setJsonLink(tUrl);

  try {
    const gaps = await api('gaps', { region, track: trackRoot });
    if (seq !== renderSeq) return;
    gapItems = gaps.segments.filter((s) => ['missing', 'weak', 'extension'].includes(s.status)).sort((a, b) => b.score - a.score);
    const gChart = h('div.chart', { style: { height: `${Math.max(180, gapItems.length * 26 + 60)}px` } });
    gapsBody.replaceChildren(
      legend(gaps.counts),
      gChart,
      h('table.gaps', h('thead', h('tr', [t('rank'), t('segment'), t('status'), t('position'), t('seg.score'), t('components'), t('seg.elsewhere'), ''].map((x) => h('th', x)))),
        h('tbody', gapItems.map((s, i) => h('tr', { dataset: { id: s.id } },
          h('td.num', i + 1), h('td', s.name), h('td', h(`span.badge.status-${s.status}`, code('status', s.status))), h('td', code('position', s.position)),
          h('td.num', fmt(s.score, 3)), h('td', componentText(s.components)), h('td.num', s.producers_elsewhere),
          h('td', link({ view: 'targets', region, track: keyOf(s.id) }, t('targets'))))))));
    if (gapItems.length) stackedBars(gChart, gapItems, (s) => `${s.name}（${code('status', s.status)}）`).catch(console.warn);
  } catch (e) { gapsBody.replaceChildren(errorBox(e)); }

  try {
    let doc;
    const w = within ? resolveRegion(index, within) : null;
    const wCode = w ? w.code : within;
    const profiled = tag || aboveScale;
    if (profiled) {
      // Tags and size are in each candidate's profile (`show`), not in the ranking: take the whole
      // ranking (within the region), then keep candidates in rank order until `top` match.
      tUrl = apiUrl('targets', { region, track, top: 10000, include_known: includeKnown });
      doc = await api('targets', { region, track, top: 10000, include_known: includeKnown });
      let items = within ? doc.items.filter((i) => isWithin(keyOf(i.region.id), wCode)) : doc.items;
      const kept = [];
      let checked = 0;
      for (let at = 0; at < items.length && kept.length < top && checked < PROFILE_LIMIT; at += 16) {
        const batch = items.slice(at, at + 16);
        const shows = await Promise.all(batch.map((i) => api('show', { id: i.id }).catch(() => null)));
        checked += batch.length;
        batch.forEach((i, k) => {
          const n = shows[k] && shows[k].node;
          if (!n) return;
          if (tag && !(n.tags || []).includes(tag)) return;
          if (aboveScale && !n.above_scale) return;
          if (kept.length < top) kept.push(i);
        });
      }
      items = kept;
      doc = { ...doc, items };
      filters.append(h('span.muted', t('targets.checked').replace('{n}', checked)));
    } else if (within && TARGETS_TAKE_WITHIN) {
      tUrl = apiUrl('targets', { region, track, within: wCode, top, include_known: includeKnown });
      doc = await api('targets', { region, track, within: wCode, top, include_known: includeKnown });
    } else if (within) {
      // The CLI's targets has no --within (yet): filter the whole ranking here by region code.
      tUrl = apiUrl('targets', { region, track, top: 10000, include_known: includeKnown });
      doc = await api('targets', { region, track, top: 10000, include_known: includeKnown });
      doc = { ...doc, items: doc.items.filter((i) => isWithin(keyOf(i.region.id), wCode)).slice(0, top) };
    } else {
      doc = await api('targets', { region, track, top, include_known: includeKnown });
    }
    if (seq !== renderSeq) return;
    jsonA.href = tUrl;
    setJsonLink(tUrl);
    tItems = doc.items;
    if (!tItems.length) { chartEl.remove(); tBody.replaceChildren(h('p.muted', t('targets.none'))); return; }
    chartEl.style.height = `${Math.max(200, tItems.length * 24 + 60)}px`;
    tBody.replaceChildren(rankedTable(tItems, columns));
    tBody.querySelector('table').id = 'targets-table';
    stackedBars(chartEl, tItems, (i) => `${i.rank}. ${i.name}`).catch(console.warn);
  } catch (e) { chartEl.remove(); tBody.replaceChildren(errorBox(e)); }
}

// ---- enterprise view ------------------------------------------------------------------------

const ATTRS = ['key', 'uscc', 'founded', 'above_scale', 'revenue', 'employees', 'tags', 'class2_certs', 'class3_certs', 'patents', 'rd_ratio', 'illustrative', 'level', 'institution_kind', 'grade'];

async function enterpriseView(root, state, seq) {
  const q = h('input', { type: 'search', name: 'q', placeholder: t('ent.search'), size: 36, value: state.q || '' });
  const results = h('div.results');
  const doSearch = async () => {
    const text = q.value.trim();
    if (!text) return;
    results.replaceChildren(h('p.muted', t('loading')));
    try {
      const doc = await api('search', { text, kind: 'enterprise', limit: 30 });
      results.replaceChildren(doc.results.length
        ? h('ul', doc.results.map((r) => h('li', link({ enterprise: r.key }, `${r.name} (${r.key})`))))
        : h('p.muted', t('none')));
    } catch (e) { results.replaceChildren(errorBox(e)); }
  };
  q.addEventListener('keydown', (e) => { if (e.key === 'Enter') doSearch(); });
  root.append(card(t('nav.enterprise'), null, h('div.row', q, h('button.primary', { type: 'button', onclick: doSearch }, t('ent.search_btn'))), results));
  if (!state.enterprise) { root.append(h('p.muted', t('ent.none'))); setJsonLink(null); setProvenance(null); return; }

  let shown;
  try { shown = await api('show', { id: state.enterprise.includes(':') ? state.enterprise : 'enterprise:' + state.enterprise }); } catch (e) { root.append(errorBox(e)); return; }
  if (seq !== renderSeq) return;
  setProvenance(shown);
  const ent = 'enterprise:' + shown.node.key;
  const node = shown.node;
  const attr = (k) => {
    const v = node[k];
    if (v === undefined || v === null || v === '') return null;
    let s = v;
    if (k === 'tags') s = v.length ? v.map((x) => code('tag', x)).join('、') : t('none');
    else if (typeof v === 'boolean') s = v ? t('yes') : t('no');
    else if (k === 'rd_ratio') s = `${fmt(v * 100, 1)}%`;
    else if (k === 'level') s = code('level', v);
    return [h('dt', t('attr.' + k)), h('dd', String(s))];
  };
  const segs = shown.out.filter((e) => e.kind === 'produces');
  const rels = [...shown.out.filter((e) => e.kind !== 'produces').map((e) => ({ kind: e.kind, dir: '→', id: e.target, name: e.name, weight: e.weight })),
    ...shown.in.map((e) => ({ kind: e.kind, dir: '←', id: e.source, name: e.name, weight: e.weight }))];
  const showUrl = apiUrl('show', { id: ent });
  setJsonLink(showUrl);
  root.append(card(`${t('ent.profile')} · ${node.name}`, tools({
    json: showUrl,
    csv: () => ({ name: `${node.key}-relations.csv`, header: [t('ent.relations'), '', 'id', t('name'), 'weight'], rows: [...segs.map((e) => [code('relation', e.kind), '→', e.target, e.name, fmt(e.weight, 3)]), ...rels.map((r) => [code('relation', r.kind), r.dir, r.id, r.name, fmt(r.weight, 3)])] }),
  }),
  h('div.grid2',
    h('dl.attrs', h('dt', t('attr.kind')), h('dd', code('kind', node.kind)), ATTRS.map(attr),
      h('dt', t('ent.region_path')), h('dd', (shown.region_path || []).map((r, i) => [i ? ' ← ' : '', r.replace(/^region:\S+\s/, '')]))),
    h('div',
      h('h4', t('ent.segments')), h('ul', segs.map((e) => h('li', `${e.name} (${fmt(e.weight * 100, 0)}%)`))),
      h('h4', t('ent.relations')), h('ul', rels.map((r) => h('li', `${code('relation', r.kind)} ${r.dir} `, entityLink(r))))))));

  // Partners by role, pairings by kind.
  const role = ['supplier', 'customer', 'peer'].includes(state.role) ? state.role : 'supplier';
  const kind = ['university', 'hospital', 'platform', 'triad'].includes(state.kind) ? state.kind : 'university';
  const pBody = h('div.partners', h('p.muted', t('loading')));
  const kBody = h('div.pairings', h('p.muted', t('loading')));
  const cols = (extra = []) => [
    { title: t('rank'), key: 'rank', cell: (i) => i.rank, num: true },
    { title: t('name'), key: 'name', cell: (i) => entityLink(i) },
    { title: t('region'), cell: (i) => i.region ? i.region.name : '–', text: (i) => i.region ? `${i.region.name} (${keyOf(i.region.id)})` : '' },
    { title: t('score'), cell: (i) => fmt(i.score, 3), text: (i) => fmt(i.score, 4), num: true },
    { title: t('via'), cell: (i) => i.via.map((v) => v.name).join('、'), text: (i) => i.via.map((v) => v.name).join('、') },
    ...extra,
    { title: t('components'), cell: (i) => componentText(i.components), text: (i) => componentText(i.components) },
  ];
  const partnerCols = cols([{ title: t('known'), cell: (i) => (i.known ? t('yes') : t('no')), text: (i) => (i.known ? t('yes') : t('no')) }]);
  const pairCols = cols([{ title: t('ent.partner_of'), cell: (i) => (i.partners || []).map((p) => p.name).join('、'), text: (i) => (i.partners || []).map((p) => p.name).join('、') }]);
  const pUrl = apiUrl('partners', { enterprise: ent, role, top: 20 });
  const kUrl = apiUrl('pairings', { enterprise: ent, kind, top: 20 });
  let pItems = [];
  let kItems = [];
  root.append(card(t('ent.partners'), tools({ json: pUrl, csv: () => rankedCsv(`${node.key}-partners-${role}.csv`, pItems, partnerCols), xlsx: exportUrl('partners', { enterprise: ent, role, top: 20 }) }),
    h('div.tabs.roles', ['supplier', 'customer', 'peer'].map((r) => h('button', { type: 'button', class: r === role ? 'active' : '', dataset: { role: r }, onclick: () => go({ role: r }) }, code('role', r)))),
    pBody));
  root.append(card(t('ent.pairings'), tools({ json: kUrl, csv: () => rankedCsv(`${node.key}-pairings-${kind}.csv`, kItems, pairCols), xlsx: exportUrl('pairings', { enterprise: ent, kind, top: 20 }) }),
    h('div.tabs.kinds', ['university', 'hospital', 'platform', 'triad'].map((k) => h('button', { type: 'button', class: k === kind ? 'active' : '', dataset: { kind: k }, onclick: () => go({ kind: k }) }, code('pairing', k)))),
    kBody));
  const [pr, kr] = await Promise.allSettled([api('partners', { enterprise: ent, role, top: 20 }), api('pairings', { enterprise: ent, kind, top: 20 })]);
  if (seq !== renderSeq) return;
  if (pr.status === 'fulfilled') {
    pItems = pr.value.items;
    pBody.replaceChildren(pItems.length ? rankedTable(pItems, partnerCols) : h('p.muted', t('none')));
    pBody.dataset.ready = '1';
  } else pBody.replaceChildren(errorBox(pr.reason));
  if (kr.status === 'fulfilled') {
    kItems = kr.value.items;
    kBody.replaceChildren(kItems.length ? rankedTable(kItems, pairCols) : h('p.muted', t('none')));
  } else kBody.replaceChildren(errorBox(kr.reason));
}

// ---- analyst view ---------------------------------------------------------------------------

async function analystView(root, state, seq) {
  const index = await regions();
  if (seq !== renderSeq) return;
  const scope = state.region || '';
  const sel = h('select', { name: 'scope' }, h('option', { value: '' }, t('analyst.everywhere')),
    index.stats.regions.filter((r) => r.level !== 'park').map((r) => h('option', { value: r.code, selected: r.code === scope }, `${'　'.repeat(['province', 'city', 'county'].indexOf(r.level))}${r.name} (${r.code})`)));
  sel.addEventListener('change', () => go({ region: sel.value || undefined }));
  root.append(card(t('nav.analyst'), null, h('div.row', h('label', t('analyst.region') + ' ', sel))));
  const shownP = api('show', { id: 'region:' + (scope || index.provinces.find((p) => p.code.startsWith('33'))?.code || index.provinces[0].code) });
  const lUrl = apiUrl('leaders', { region: scope, top: 20 });
  const cUrl = apiUrl('clusters', { region: scope });
  setJsonLink(lUrl);
  const lBody = h('div', h('p.muted', t('loading')));
  const lChart = h('div.chart');
  const cBody = h('div', h('p.muted', t('loading')));
  let lItems = [];
  let cDoc = null;
  const lCols = [
    { title: t('rank'), key: 'rank', cell: (i) => i.rank, num: true },
    { title: t('name'), key: 'name', cell: (i) => entityLink(i) },
    { title: t('region'), cell: (i) => i.region ? i.region.name : '–', text: (i) => i.region ? `${i.region.name} (${keyOf(i.region.id)})` : '' },
    { title: t('score'), cell: (i) => fmt(i.score, 3), text: (i) => fmt(i.score, 4), num: true },
    { title: t('via'), cell: (i) => i.via.map((v) => v.name).join('、'), text: (i) => i.via.map((v) => v.name).join('、') },
    { title: t('components'), cell: (i) => componentText(i.components), text: (i) => componentText(i.components) },
  ];
  root.append(card(t('leaders'), tools({ json: lUrl, csv: () => rankedCsv(`${scope || 'all'}-leaders.csv`, lItems, lCols), xlsx: exportUrl('leaders', { region: scope, top: 20 }) }), lChart, lBody));
  root.append(card(t('clusters'), tools({
    json: cUrl,
    csv: () => ({ name: `${scope || 'all'}-clusters.csv`, header: [t('clusters.community'), t('clusters.members'), t('clusters.top_segments'), 'id', t('name')],
      rows: (cDoc ? cDoc.communities : []).flatMap((c) => c.members.map((m) => [c.id, c.size, c.top_segments.map((s) => s.name).join('、'), keyOf(m.id), m.name])) }),
  }), cBody));
  compareSection(root, state, index, seq);
  relatednessSection(root, state, index, seq);
  treemapSection(root, state, index, seq);
  const [shown, lr, cr] = await Promise.allSettled([shownP, api('leaders', { region: scope, top: 20 }), api('clusters', { region: scope })]);
  if (seq !== renderSeq) return;
  if (shown.status === 'fulfilled') setProvenance(shown.value);
  if (lr.status === 'fulfilled') {
    lItems = lr.value.items;
    lChart.style.height = `${Math.max(200, lItems.length * 24 + 60)}px`;
    lBody.replaceChildren(rankedTable(lItems, lCols));
    stackedBars(lChart, lItems, (i) => `${i.rank}. ${i.name}`).catch(console.warn);
  } else { lChart.remove(); lBody.replaceChildren(errorBox(lr.reason)); }
  if (cr.status === 'fulfilled') {
    cDoc = cr.value;
    const g = h('div.chart', { style: { height: '520px' } });
    cBody.replaceChildren(
      h('p', `${t('clusters.modularity')}: ${fmt(cDoc.modularity, 3)} · ${t('count.enterprise')}: ${cDoc.enterprises} · ${cDoc.communities.length} ${t('clusters.community')}`),
      g,
      h('table', h('thead', h('tr', h('th', t('clusters.community')), h('th', t('clusters.members')), h('th', t('clusters.top_segments')))),
        h('tbody', cDoc.communities.map((c) => h('tr', h('td', `#${c.id}`), h('td.num', c.size), h('td', c.top_segments.map((s) => `${s.name} (${s.enterprises})`).join('、')))))));
    clusterGraph(g, cDoc).catch(console.warn);
  } else cBody.replaceChildren(errorBox(cr.reason));
}

// Two to four regions side by side on one track: completeness, statuses and indicators.
async function compareSection(root, state, index, seq) {
  const track = state.track || 'endo';
  const codes = (state.compare || '').split(',').map((c) => c.trim()).filter(Boolean).slice(0, 4);
  const input = h('input', { type: 'text', name: 'compare', size: 40, value: codes.join(','), placeholder: t('compare.ph'), list: 'region-list-c' });
  const dl = h('datalist', { id: 'region-list-c' }, index.stats.regions.map((r) => h('option', { value: r.code }, r.name)));
  const apply = () => {
    const picked = input.value.split(/[,，\s]+/).map((x) => resolveRegion(index, x)).filter(Boolean).map((r) => r.code);
    go({ compare: [...new Set(picked)].slice(0, 4).join(',') || undefined });
  };
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') apply(); });
  const trackSel = h('select', { name: 'track' }, index.stats.tracks.map((tr) => h('option', { value: tr.id, selected: tr.id === track }, tr.name)));
  trackSel.addEventListener('change', () => go({ track: trackSel.value }));
  const body = h('div.compare-body', codes.length < 2 ? h('p.muted', t('compare.hint')) : h('p.muted', t('loading')));
  let rows = [];
  let names = [];
  root.append(card(t('compare'), tools({
    json: codes[0] ? apiUrl('chain', { region: codes[0], track }) : null,
    csv: () => ({ name: `compare-${codes.join('-')}-${track}.csv`, header: ['', ...names], rows }),
  }), h('div.row', h('label', t('compare.regions') + ' ', input), dl, h('label', t('track.pick') + ' ', trackSel),
    h('button.primary', { type: 'button', onclick: apply }, t('targets.apply'))), body));
  if (codes.length < 2) return;
  const docs = await Promise.allSettled(codes.map((c) => Promise.all([api('chain', { region: c, track }), api('indicators', { region: c })])));
  if (seq !== renderSeq) return;
  const ok = docs.map((d, i) => ({ code: codes[i], d })).filter((x) => x.d.status === 'fulfilled');
  const bad = docs.filter((d) => d.status === 'rejected');
  names = ok.map((x) => `${x.d.value[0].region.name} (${x.code})`);
  const indNames = ok.length ? ok[0].d.value[1].indicators.map((i) => i.name) : [];
  rows = [
    [t('completeness'), ...ok.map((x) => `${fmt(x.d.value[0].completeness * 100, 1)}%`)],
    [t('weighted_completeness'), ...ok.map((x) => `${fmt(x.d.value[0].weighted_completeness * 100, 1)}%`)],
    ...STATUSES.map((st) => [code('status', st), ...ok.map((x) => x.d.value[0].counts[st] ?? 0)]),
    ...indNames.map((n) => [t('ind.' + n), ...ok.map((x) => { const i = x.d.value[1].indicators.find((y) => y.name === n); return i ? fmt(i.value, 1) : ''; })]),
  ];
  const chartEl = h('div.chart', { style: { height: '260px' } });
  body.replaceChildren(
    bad.length ? errorBox(bad[0].reason) : null,
    chartEl,
    h('table.compare', h('thead', h('tr', h('th', ''), names.map((n) => h('th', n)))),
      h('tbody', rows.map((r) => h('tr', h('th', r[0]), r.slice(1).map((v) => h('td.num', v)))))));
  (async () => {
    const chart = await makeChart(chartEl);
    if (!chart) return;
    chart.setOption({
      tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: names }, yAxis: { type: 'value' },
      series: STATUSES.filter((st) => st !== 'absent').map((st) => ({
        name: code('status', st), type: 'bar', stack: 'n', itemStyle: { color: getComputedStyle(document.documentElement).getPropertyValue('--' + st).trim() },
        data: ok.map((x) => x.d.value[0].counts[st] ?? 0),
      })),
    });
  })().catch(console.warn);
}

// Regions × segments of one track: RCA (log scale) or density, as a heatmap.
async function relatednessSection(root, state, index, seq) {
  const track = state.track || 'endo';
  const metric = state.metric === 'density' ? 'density' : 'rca';
  const level = ['county', 'city', 'province'].includes(state.level) ? state.level : 'county';
  const url = apiUrl('relatedness', { level, track });
  const chartEl = h('div.chart', { style: { height: '520px' } });
  const body = h('div', h('p.muted', t('loading')));
  let doc = null;
  const tabs = h('div.tabs.metrics',
    ['rca', 'density'].map((m) => h('button', { type: 'button', class: m === metric ? 'active' : '', dataset: { metric: m }, onclick: () => go({ metric: m }) }, t('heat.' + m))),
    ['county', 'city', 'province'].map((l) => h('button', { type: 'button', class: l === level ? 'active' : '', dataset: { level: l }, onclick: () => go({ level: l }) }, code('level', l))));
  root.append(card(`${t('heat')} · ${index.stats.tracks.find((x) => x.id === track)?.name || track}`, tools({
    json: url,
    xlsx: exportUrl('relatedness', { level, track }),
    csv: () => ({ name: `relatedness-${level}-${track}.csv`, header: [t('region'), 'code', t('segment'), 'id', 'RCA', t('seg.density'), 'opportunity_gain'],
      rows: (doc ? doc.regions : []).flatMap((r) => r.cells.map((c) => [r.name, keyOf(r.id), c.segment.name, keyOf(c.segment.id), fmt(c.rca, 4), fmt(c.density, 4), fmt(c.opportunity_gain, 4)])) }),
  }), tabs, body, chartEl));
  try { doc = await api('relatedness', { level, track }); } catch (e) { chartEl.remove(); body.replaceChildren(errorBox(e)); return; }
  if (seq !== renderSeq) return;
  body.replaceChildren(h('p.muted', t('heat.note')));
  const segs = doc.segments.map((x) => x.id);
  const regs = doc.regions.map((r) => r.id);
  const data = [];
  doc.regions.forEach((r, y) => r.cells.forEach((c) => {
    const x = segs.indexOf(c.segment.id);
    if (x < 0) return;
    const v = metric === 'rca' ? Math.log10(1 + (c.rca || 0)) : (c.density ?? 0);
    data.push([x, y, +v.toFixed(4), c.rca, c.density]);
  }));
  const chart = await makeChart(chartEl);
  if (!chart) return;
  const max = data.reduce((m, d) => Math.max(m, d[2]), 0) || 1;
  chart.setOption({
    tooltip: { formatter: (p) => `${doc.regions[p.value[1]].name} × ${doc.segments[p.value[0]].name}<br>RCA ${fmt(p.value[3], 2)} · ${t('seg.density')} ${fmt(p.value[4], 2)}` },
    grid: { left: 8, right: 16, top: 8, bottom: 60, containLabel: true },
    xAxis: { type: 'category', data: doc.segments.map((x) => x.name), axisLabel: { rotate: 50, fontSize: 10 } },
    yAxis: { type: 'category', data: doc.regions.map((r) => r.name), axisLabel: { fontSize: 11 } },
    visualMap: { min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, text: [metric === 'rca' ? 'log₁₀(1+RCA)' : t('seg.density'), ''] },
    series: [{ type: 'heatmap', data, emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } }],
  });
  chartEl.style.height = `${Math.max(300, regs.length * 22 + 160)}px`;
  chart.resize();
}

// A province's counties as a treemap (no boundary data is bundled): size and colour by a count.
// The four counts by kind come from `stats` (every region at once); the enterprises of one track
// (stats?region=<county>) and its gaps (缺链 + 弱链, chain?region=<county>&track=…) one request a county.
const TREEMAP_MEASURES = ['enterprise', 'hospital', 'institution', 'platform', 'producers', 'gaps'];
const perTrackMeasure = (m) => m === 'producers' || m === 'gaps';
async function treemapSection(root, state, index, seq) {
  const scope = state.region || '';
  const prov = scope ? ancestry(index, scope)[0] : (index.provinces.find((p) => p.code === '330000') || index.provinces[0]).code;
  const measure = TREEMAP_MEASURES.includes(state.measure) ? state.measure : 'enterprise';
  const track = state.track || 'endo';
  const perTrack = perTrackMeasure(measure);
  const known = new Set(index.byCode.keys());
  const under = index.stats.regions.filter((r) => r.level === 'county' && ancestry(index, r.code)[0] === prov);
  const byCity = new Map();
  for (const r of under) {
    const p = parentCode(r.code, known);
    const key = index.byCode.get(p)?.level === 'city' ? p : prov;
    if (!byCity.has(key)) byCity.set(key, []);
    byCity.get(key).push(r);
  }
  const provName = index.byCode.get(prov)?.name || prov;
  const trackName = index.stats.tracks.find((x) => x.id === track)?.name || track;
  const label = (m) => t(perTrackMeasure(m) ? 'treemap.' + m : 'count.' + m);
  const values = new Map();
  const chartEl = h('div.chart.treemap', { style: { height: '420px' } });
  const status = h('p.muted', perTrack ? t('loading') : '');
  const tabs = h('div.tabs.measures', TREEMAP_MEASURES.map((m) =>
    h('button', { type: 'button', class: m === measure ? 'active' : '', dataset: { measure: m }, onclick: () => go({ measure: m }) }, label(m))));
  root.append(card(`${t('treemap')} · ${provName}${perTrack ? ` · ${trackName}` : ''}`, tools({
    json: perTrack ? apiUrl(measure === 'gaps' ? 'chain' : 'stats', { region: under[0]?.code, track: measure === 'gaps' ? track : undefined }) : apiUrl('stats'),
    csv: () => ({ name: `${prov}-${measure}${perTrack ? '-' + track : ''}-by-county.csv`, header: [t('region.city'), t('region.county'), 'code', label(measure)],
      rows: [...byCity.entries()].flatMap(([c, list]) => list.map((r) => [index.byCode.get(c)?.name || '', r.name, r.code, values.get(r.code) ?? 0])) }),
  }), tabs, h('p.muted', t('treemap.note')), status, chartEl));
  if (perTrack) {
    const got = await Promise.allSettled(under.map((r) => (measure === 'producers'
      ? api('stats', { region: r.code }).then((d) => (d.tracks.find((x) => x.id === track) || {}).enterprises || 0)
      : api('chain', { region: r.code, track }).then((d) => (d.counts.missing || 0) + (d.counts.weak || 0)))));
    if (seq !== renderSeq) return;
    got.forEach((g, i) => values.set(under[i].code, g.status === 'fulfilled' ? g.value : 0));
    const failed = got.filter((g) => g.status === 'rejected');
    status.textContent = failed.length ? `${t('error')}: ${failed.length} — ${failed[0].reason.message}` : '';
  } else {
    for (const r of under) values.set(r.code, r[measure] || 0);
  }
  const chart = await makeChart(chartEl);
  if (!chart || seq !== renderSeq) return;
  const data = [...byCity.entries()].map(([c, list]) => ({
    name: index.byCode.get(c)?.name || c,
    children: list.filter((r) => values.get(r.code) > 0).map((r) => ({ name: r.name, value: values.get(r.code), code: r.code })),
  })).filter((c) => c.children.length);
  chartEl.dataset.tiles = String(data.reduce((n, c) => n + c.children.length, 0));
  chart.setOption({
    tooltip: { formatter: (p) => `${p.name}: ${p.value}` },
    series: [{
      type: 'treemap', roam: false, nodeClick: false, breadcrumb: { show: false },
      levels: [{ itemStyle: { borderWidth: 3, borderColor: '#fff', gapWidth: 3 }, upperLabel: { show: true, height: 22 } },
        { colorMappingBy: 'value', color: ['#d8e6f5', '#1f5fa8'], itemStyle: { gapWidth: 1 } }],
      upperLabel: { show: true },
      data,
    }],
  });
  chart.on('click', (p) => { if (p.data && p.data.code) go({ view: 'region', region: p.data.code, measure: undefined, metric: undefined, level: undefined, compare: undefined }); });
  chartEl.dataset.ready = '1';
}

async function clusterGraph(el, doc) {
  const chart = await makeChart(el);
  if (!chart) return;
  const categories = doc.communities.map((c) => ({ name: `${t('clusters.community')} #${c.id}` }));
  const nodes = [];
  const links = [];
  doc.communities.forEach((c, ci) => {
    const hub = `community:${c.id}`;
    const label = c.top_segments.length ? c.top_segments[0].name : '';
    nodes.push({ id: hub, name: `#${c.id} ${label}`, category: ci, symbolSize: 18 + Math.sqrt(c.size) * 3, label: { show: true, fontWeight: 'bold' }, value: c.size });
    for (const m of c.members) {
      nodes.push({ id: m.id, name: m.name, category: ci, symbolSize: 6 });
      links.push({ source: hub, target: m.id });
    }
  });
  chart.setOption({
    tooltip: { formatter: (p) => (p.dataType === 'node' ? p.data.name : '') },
    legend: { data: categories.map((c) => c.name), type: 'scroll', top: 0 },
    series: [{
      type: 'graph', layout: 'force', roam: true, categories, data: nodes, links,
      force: { repulsion: 30, edgeLength: [10, 40], gravity: 0.15 }, lineStyle: { opacity: 0.25 },
      label: { show: false }, emphasis: { focus: 'adjacency' },
    }],
  });
}

// ---- the one-page region brief (print) ------------------------------------------------------

async function briefView(root, state, seq) {
  if (!state.region) { root.append(h('p.muted', t('region.noselect'))); return; }
  const region = state.region;
  const [rstats, shown] = await Promise.all([api('stats', { region }), api('show', { id: 'region:' + region })]);
  const track = state.track || defaultTrack(rstats);
  const [chain, targets, ind] = await Promise.all([api('chain', { region, track }), api('targets', { region, track, top: 10 }), api('indicators', { region })]);
  if (seq !== renderSeq) return;
  setProvenance(shown);
  setJsonLink(apiUrl('chain', { region, track }));
  const me = rstats.regions.find((r) => r.code === rstats.region) || {};
  const gaps = chain.segments.filter((x) => ['missing', 'weak', 'extension'].includes(x.status)).sort((a, b) => b.score - a.score).slice(0, 8);
  const p = shown.provenance || {};
  root.append(h('article.brief',
    h('div.row.noprint', h('button.primary', { type: 'button', onclick: () => window.print() }, t('brief.print')), link({ region, track }, t('brief.back'))),
    h('h1', `${shown.node.name} · ${chain.track ? chain.track.name : ''} · ${t('brief.title')}`),
    h('p.muted', `${t('prov.label')}: ${p.source || '–'} · ${t('prov.imported')}: ${(p.imported_at || '').replace('T', ' ').replace('Z', ' UTC')} · ${new Date().toISOString().slice(0, 10)}`),
    document.getElementById('notice').hidden ? null : h('p.brief-notice', t('notice.illustrative')),
    h('section.brief-part', { dataset: { part: 'stats' } },
      h('div.kpis', ['enterprise', 'hospital', 'institution', 'platform'].map((k) => h('div.kpi', h('b', fmt(me[k])), t('count.' + k))),
        h('div.kpi', h('b', `${fmt(chain.completeness * 100, 1)}%`), t('completeness')),
        STATUSES.filter((x) => chain.counts[x]).map((x) => h('div.kpi', h('b', chain.counts[x]), code('status', x))))),
    h('section.brief-part', { dataset: { part: 'gaps' } },
      h('h2', t('brief.gaps')),
      h('table', h('thead', h('tr', [t('rank'), t('segment'), t('status'), t('position'), t('seg.score'), t('seg.demand'), t('seg.elsewhere')].map((x) => h('th', x)))),
        h('tbody', gaps.map((g, i) => h('tr', h('td.num', i + 1), h('td', g.name), h('td', code('status', g.status)), h('td', code('position', g.position)),
          h('td.num', fmt(g.score, 3)), h('td.num', g.local_buyers.length + g.local_hospitals.length), h('td.num', g.producers_elsewhere)))))),
    h('section.brief-part', { dataset: { part: 'targets' } },
      h('h2', t('brief.targets')),
      h('table', h('thead', h('tr', [t('rank'), t('name'), t('region'), t('score'), t('via'), t('why')].map((x) => h('th', x)))),
        h('tbody', targets.items.map((it) => h('tr', h('td.num', it.rank), h('td', it.name), h('td', it.region.name), h('td.num', fmt(it.score, 3)),
          h('td', it.via.map((v) => v.name).join('、')), h('td.small', it.why.slice(0, 1).join('; '))))))),
    h('section.brief-part', { dataset: { part: 'indicators' } },
      h('h2', t('indicators')),
      h('div.indgrid', ind.indicators.map((i) => h('div', h('span', t('ind.' + i.name)),
        h('b', fmt(i.value, 1) + (i.target === null || i.target === undefined ? '' : ` / ${fmt(i.target, 1)}`))))))));
  root.querySelector('.brief').dataset.ready = '1';
}

// ---- render ---------------------------------------------------------------------------------

async function render() {
  const seq = ++renderSeq;
  const state = readState();
  charts.forEach((c) => c.dispose());
  charts.clear();
  frame(state);
  const root = document.getElementById('view');
  root.replaceChildren();
  root.dataset.view = state.view;
  try {
    if (state.view === 'region') await regionView(root, state, seq);
    else if (state.view === 'targets') await targetsView(root, state, seq);
    else if (state.view === 'enterprise') await enterpriseView(root, state, seq);
    else if (state.view === 'brief') await briefView(root, state, seq);
    else await analystView(root, state, seq);
  } catch (e) {
    if (seq === renderSeq) root.append(errorBox(e));
    console.warn(e);
  }
  if (seq === renderSeq) window.__console.renders += 1;
}

(function start() {
  window.__console.timings.start = performance.now();
  const q = new URLSearchParams(location.search);
  let lang = q.get('lang');
  if (!lang) { try { lang = localStorage.getItem('chainatlas.lang'); } catch (_) { lang = null; } }
  setLang(lang || 'zh');
  window.addEventListener('popstate', render);
  render();
})();
