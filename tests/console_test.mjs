// The officer's console in a real browser: Debian's chromium driven by playwright-core, against a
// real `chainatlas serve --http-port 0` on the default dataset (or --base-url of a running one).
//
//   node tests/console_test.mjs --binary build/chainatlas --root . --workdir build/console_test
//
// Checks the region view of 桐庐县 (panorama statuses and counts equal the API's, Chinese labels,
// a missing segment's makers elsewhere, the English switch), the targets table (rows equal the
// API's, a path graph, the CSV export read back, the `within` filter), the enterprise view's
// partners, and that the page logs no error. Prints the region view's load time (navigation start
// to panorama rendered) over 5 loads; asserts nothing about speed. Exits 77 (skipped) with a
// message when node_modules/playwright-core or /usr/bin/chromium is missing.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

const SKIP = 77;
const CHROMIUM = '/usr/bin/chromium';

function parseArgs(argv) {
  const a = { binary: null, root: path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'), workdir: null, baseUrl: null, loads: 5 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--binary') a.binary = v();
    else if (k === '--root') a.root = v();
    else if (k === '--workdir') a.workdir = v();
    else if (k === '--base-url') a.baseUrl = v();
    else if (k === '--loads') a.loads = parseInt(v(), 10);
    else { console.error(`unknown argument ${k}`); process.exit(2); }
  }
  a.workdir = a.workdir || path.join(a.root, 'build', 'console_test');
  return a;
}
const args = parseArgs(process.argv.slice(2));

let playwright;
try {
  playwright = createRequire(path.join(args.root, 'package.json'))('playwright-core');
} catch (e) {
  console.log(`SKIP: playwright-core is not installed under ${args.root}/node_modules (run scripts/setup.sh or \`npm ci\`)`);
  process.exit(SKIP);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP: ${CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk, or run scripts/setup.sh)`);
  process.exit(SKIP);
}
if (!args.baseUrl && !args.binary) { console.error('--binary or --base-url is required'); process.exit(2); }
fs.mkdirSync(args.workdir, { recursive: true });

let failures = 0;
function check(cond, what) {
  if (cond) console.log(`ok   ${what}`);
  else { failures += 1; console.log(`FAIL ${what}`); }
}

// ---- the server -----------------------------------------------------------------------------

async function startServer() {
  const proc = spawn(args.binary, ['serve', '--port', '0', '--http-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const rl = readline.createInterface({ input: proc.stdout });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening: http" line within 120 s; stderr: ${stderr}`)), 120000);
    rl.on('line', (line) => {
      if (line.startsWith('listening: http')) { clearTimeout(timer); resolve(parseInt(line.split(':').pop(), 10)); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`chainatlas serve exited with ${code}: ${stderr}`)); });
  });
  return { proc, base: `http://127.0.0.1:${port}` };
}

async function getJson(base, url) {
  const r = await fetch(base + url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

// The footer's link to the view's JSON answers a JSON document.
async function jsonLinkWorks(page, what) {
  const href = await page.$eval('#json-link', (e) => e.getAttribute('href'));
  const r = await fetch(new URL(href, page.url()));
  const ok = r.status === 200 && (r.headers.get('content-type') || '').startsWith('application/json');
  if (ok) await r.json();
  check(ok, `${what}: the JSON link ${href} answers ${r.status} ${r.headers.get('content-type')}`);
}

// An XLSX read back with python's zipfile: the sheet's header (the row that starts with `first`),
// the number of rows below it and every shared string.
function readXlsx(file, first) {
  const script = `
import json, sys, zipfile, xml.etree.ElementTree as ET
ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
with zipfile.ZipFile(sys.argv[1]) as z:
    head = open(sys.argv[1], "rb").read(2)
    strings = ["".join(t.text or "" for t in si.iter("{%s}t" % ns["m"]))
               for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)]
    sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
rows = []
for row in sheet.iter("{%s}row" % ns["m"]):
    cells = []
    for c in row.findall("m:c", ns):
        v = c.find("m:v", ns)
        cells.append(strings[int(v.text)] if c.get("t") == "s" else (v.text if v is not None else ""))
    rows.append(cells)
at = next((i for i, r in enumerate(rows) if r and r[0] == sys.argv[2]), None)
print(json.dumps({"pk": head == b"PK", "header": rows[at] if at is not None else [],
                  "rows": len(rows) - at - 1 if at is not None else -1, "strings": strings}))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, file, first], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`reading ${file} back: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// Every 导出 XLSX link of the view answers a workbook (a zip) with a file name.
async function xlsxLinksWork(page, what, least) {
  const hrefs = await page.$$eval('a.export-xlsx', (els) => els.map((e) => e.getAttribute('href')));
  const bad = [];
  for (const href of hrefs) {
    const r = await fetch(new URL(href, page.url()));
    const body = Buffer.from(await r.arrayBuffer());
    if (r.status !== 200 || body.toString('latin1', 0, 2) !== 'PK' || !/attachment; filename="[^"]+\.xlsx"/.test(r.headers.get('content-disposition') || '')) bad.push(`${href}: ${r.status}`);
  }
  check(hrefs.length >= least && bad.length === 0, `${what}: ${hrefs.length} XLSX links answer workbooks${bad.length ? ' — ' + bad.join(', ') : ''}`);
}

const STATUS_ZH = { missing: '缺链', weak: '弱链', strong: '强链', extension: '延链' };
const STATUS_EN = { missing: 'Missing', weak: 'Weak', strong: 'Strong', extension: 'Extension' };

async function main() {
  let server = null;
  let base = args.baseUrl;
  if (!base) { server = await startServer(); base = server.base; }
  console.log(`console at ${base}`);
  const browser = await playwright.chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
  const problems = [];
  const newPage = async (context) => {
    const page = await context.newPage();
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error on ${page.url()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error on ${page.url()}: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()} for ${r.url()}`); });
    return page;
  };
  const shot = (page, name) => page.screenshot({ path: path.join(args.workdir, name), fullPage: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true, locale: 'zh-CN' });
    const page = await newPage(context);

    // Region view: the panorama against the API.
    const chain = await getJson(base, '/api/v1/chain?region=330122&track=endo');
    await page.goto(`${base}/?region=330122&track=endo`);
    await page.waitForSelector('#panorama[data-ready]', { timeout: 30000 });
    const segs = await page.$$eval('#panorama .seg', (els) => els.map((e) => ({ id: e.dataset.id, status: e.dataset.status, label: e.querySelector('.status').textContent })));
    check(segs.length === chain.segments.length && segs.length > 0, `panorama shows ${segs.length} segments (API: ${chain.segments.length})`);
    const byId = new Map(chain.segments.map((s) => [s.id, s]));
    check(segs.every((s) => byId.get(s.id) && byId.get(s.id).status === s.status), 'every segment\'s status equals the API\'s');
    check(segs.filter((s) => STATUS_ZH[s.status]).every((s) => s.label === STATUS_ZH[s.status]), 'statuses read 缺链/弱链/强链/延链');
    check(segs.some((s) => s.label === '缺链') && segs.some((s) => s.label === '强链'), 'the panorama has 缺链 and 强链 segments');
    const legend = await page.$$eval('.legend span', (els) => els.map((e) => e.textContent));
    check(Object.entries(chain.counts).every(([k, n]) => !STATUS_ZH[k] || legend.includes(`${STATUS_ZH[k]} ${n}`)), `legend counts equal the API's (${legend.join(', ')})`);
    const nums = await page.$eval(`#panorama .seg[data-id="${chain.segments[0].id}"] .nums`, (e) => e.textContent);
    const s0 = chain.segments[0];
    check(nums.includes(String(s0.local_producers.length)) && nums.includes(String(s0.producers_elsewhere)), `segment counts shown (${nums})`);
    const missing = chain.segments.find((s) => s.status === 'missing' && s.producers_elsewhere > 0);
    await page.click(`#panorama .seg[data-id="${missing.id}"]`);
    await page.waitForSelector('.makers-elsewhere', { timeout: 10000 });
    const elsewhere = await page.$$eval('.makers-elsewhere li', (els) => els.length);
    check(elsewhere === missing.producers_elsewhere, `clicking missing ${missing.name} lists ${elsewhere} makers elsewhere (API: ${missing.producers_elsewhere})`);
    const notice = await page.$eval('#notice', (e) => !e.hidden && e.textContent.length > 0);
    check(notice, 'the illustrative-data notice is visible');
    const prov = await page.$eval('#provenance', (e) => e.textContent);
    check(/\d{4}-\d\d-\d\d/.test(prov), `provenance and import time shown (${prov})`);
    const jsonHref = await page.$eval('#json-link', (e) => e.getAttribute('href'));
    check(jsonHref.startsWith('/api/v1/chain?'), `link to the same JSON (${jsonHref})`);
    await jsonLinkWorks(page, 'region view');
    await page.waitForSelector('table.indicators', { timeout: 30000 });
    await xlsxLinksWork(page, 'region view (panorama, indicators)', 2);

    // Plan indicators against a targets file chosen in the page, equal to the CLI's --targets.
    const targetsFile = path.join(args.root, 'data', 'targets', 'tonglu-2025.csv');
    if (args.binary && fs.existsSync(targetsFile)) {
      const cli = JSON.parse(execFileSync(args.binary, ['indicators', '--region', '330122', '--targets', targetsFile, '--json'], { encoding: 'utf8' }));
      await page.setInputFiles('input[name=targets-file]', targetsFile);
      await page.waitForFunction(() => [...document.querySelectorAll('table.indicators tbody tr td:nth-child(4)')].some((td) => td.textContent.endsWith('%')), null, { timeout: 10000 });
      const shown = await page.$$eval('table.indicators tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.name, tr.children[3].textContent])));
      const withTarget = cli.indicators.filter((i) => i.target !== null && i.target !== undefined);
      check(withTarget.length > 0 && withTarget.every((i) => shown[i.name] === `${(i.progress * 100).toFixed(0)}%` || (Math.abs(i.progress * 100 - Math.round(i.progress * 100)) < 1e-9 && shown[i.name] === `${Math.round(i.progress * 100)}%`)),
        `indicators against ${path.basename(targetsFile)}: ${withTarget.length} progress figures equal the CLI's --targets`);
    }
    await shot(page, 'region-zh.png');

    // English.
    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('#panorama[data-ready] .seg .status')?.textContent.match(/^[A-Z]/), null, { timeout: 10000 });
    const en = await page.$$eval('#panorama .seg', (els) => els.map((e) => ({ status: e.dataset.status, label: e.querySelector('.status').textContent })));
    check(en.filter((s) => STATUS_EN[s.status]).every((s) => s.label === STATUS_EN[s.status]), 'English switch: statuses read Missing/Weak/Strong/Extension');
    const navEn = await page.$eval('#nav a[data-view=region]', (e) => e.textContent);
    check(navEn === 'Region chain', `English switch: navigation reads "${navEn}"`);
    await shot(page, 'region-en.png');
    await page.click('#lang');
    await page.waitForFunction(() => document.querySelector('#panorama[data-ready] .seg .status')?.textContent.match(/[\u4e00-\u9fff]/), null, { timeout: 10000 });

    // Targets: table, path graph, export, within.
    const targets = await getJson(base, '/api/v1/targets?region=330122&track=endo&top=20');
    await page.goto(`${base}/?view=targets&region=330122&track=endo`);
    await page.waitForSelector('#targets-table tbody tr', { timeout: 30000 });
    const rows = await page.$$eval('#targets-table tbody tr', (els) => els.map((e) => e.dataset.id));
    check(rows.length === targets.items.length && rows.every((id, i) => id === targets.items[i].id), `targets table rows equal the API's (${rows.length})`);
    await page.click('#targets-table tbody tr:first-child td:nth-child(4)');
    await page.waitForSelector('tr.expand .pathgraph canvas', { timeout: 10000 });
    check(true, 'opening a target draws its path graph');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('section.card', { has: page.locator('#targets-table') }).locator('button.export').click(),
    ]);
    const file = path.join(args.workdir, download.suggestedFilename());
    await download.saveAs(file);
    const csv = fs.readFileSync(file, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').trim().split(/\r\n/);
    check(csv.charCodeAt(0) === 0xfeff, 'CSV export starts with a UTF-8 BOM');
    check(lines[0].startsWith('排名,名称') && lines.length === targets.items.length + 1 && lines[1].includes(targets.items[0].name),
      `CSV export has a Chinese header and ${lines.length - 1} rows (${download.suggestedFilename()})`);
    // The XLSX the API writes for the same table (issue 11, exports), read back.
    const [xdl] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('section.card', { has: page.locator('#targets-table') }).locator('a.export-xlsx').click(),
    ]);
    const xfile = path.join(args.workdir, xdl.suggestedFilename());
    await xdl.saveAs(xfile);
    const xlsx = readXlsx(xfile, '排名 (rank)');
    check(xdl.suggestedFilename().endsWith('.xlsx') && xlsx.pk, `XLSX export downloads a zip (${xdl.suggestedFilename()})`);
    check(xlsx.rows === rows.length && xlsx.header.includes('名称 (name)') && xlsx.header.includes('总分 (score)')
      && xlsx.strings.includes(targets.items[0].name) && xlsx.strings.some((x) => x.startsWith('示例数据')),
    `XLSX export read back: ${xlsx.rows} rows as the view's table (${rows.length}), Chinese header ${xlsx.header.slice(0, 3).join(', ')}, provenance`);
    await jsonLinkWorks(page, 'targets view');
    await xlsxLinksWork(page, 'targets view (gaps, targets)', 2);
    await shot(page, 'targets.png');
    await page.goto(`${base}/?view=targets&region=330122&track=endo&within=${encodeURIComponent('上海市')}`);
    await page.waitForFunction(() => document.querySelector('#targets-table') || document.querySelector('.error') || [...document.querySelectorAll('p.muted')].some((p) => p.textContent.includes('没有')), null, { timeout: 30000 });
    const within = await page.$$eval('#targets-table tbody tr td:nth-child(3)', (els) => els.map((e) => e.textContent));
    check(within.length > 0 && within.every((r) => /\(31\d{4}/.test(r)), `within 上海市: ${within.length} targets, all in Shanghai`);

    // Tag and size filters, against the candidates' profiles read from the API.
    const all = await getJson(base, '/api/v1/targets?region=330122&track=endo&top=10000');
    const expected = [];
    for (const it of all.items) {
      const n = (await getJson(base, `/api/v1/show?id=${encodeURIComponent(it.id)}`)).node;
      if ((n.tags || []).includes('specialised') && n.above_scale && expected.length < 20) expected.push(it.id);
    }
    await page.goto(`${base}/?view=targets&region=330122&track=endo&tag=specialised&above_scale=1`);
    await page.waitForFunction(() => document.querySelector('#targets-table') || document.querySelector('.error') || [...document.querySelectorAll('p.muted')].some((p) => p.textContent.includes('没有')), null, { timeout: 30000 });
    const tagged = await page.$$eval('#targets-table tbody tr', (els) => els.map((e) => e.dataset.id));
    check(tagged.length === expected.length && tagged.every((id, i) => id === expected[i]), `tag 专精特新 + 规上: ${tagged.length} targets, as the profiles say (${expected.length})`);

    // Enterprise view.
    const partners = await getJson(base, '/api/v1/partners?enterprise=enterprise%3AE0013&role=supplier&top=20');
    await page.goto(`${base}/?enterprise=E0013`);
    await page.waitForSelector('.partners[data-ready] tbody tr', { timeout: 30000 });
    const pRows = await page.$$eval('.partners tbody tr', (els) => els.map((e) => e.dataset.id));
    check(pRows.length === partners.items.length && pRows.length > 0, `enterprise E0013 shows ${pRows.length} partners (API: ${partners.items.length})`);
    await jsonLinkWorks(page, 'enterprise view');
    await xlsxLinksWork(page, 'enterprise view (partners, pairings)', 2);
    await page.fill('input[name=q]', '视峰');
    await page.press('input[name=q]', 'Enter');
    await page.waitForSelector('.results li', { timeout: 10000 });
    const found = await page.$$eval('.results li', (els) => els.map((e) => e.textContent));
    check(found.some((x) => x.includes('E0013')), `enterprise search 视峰 finds E0013 (${found.length} results)`);
    await page.click('.roles button[data-role=customer]');
    await page.waitForFunction(() => location.search.includes('role=customer') && document.querySelector('.partners[data-ready] tbody tr'), null, { timeout: 30000 });
    check(true, 'partners by role: customers');
    await shot(page, 'enterprise.png');

    // The printable region brief, from the region view's 打印简报: one A4 page.
    await page.goto(`${base}/?region=330122&track=endo`);
    await page.waitForSelector('#panorama[data-ready]', { timeout: 30000 });
    await page.click('a.brief-link');
    await page.waitForSelector('.brief[data-ready]', { timeout: 30000 });
    check(page.url().includes('view=brief') && page.url().includes('region=330122'), `打印简报 opens the brief (${page.url().replace(base, '')})`);
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
      const shown = (el) => !!el && getComputedStyle(el).display !== 'none' && el.getBoundingClientRect().height > 0;
      return {
        nav: shown(document.getElementById('nav')), lang: shown(document.getElementById('lang')),
        button: shown(document.querySelector('.brief .noprint')),
        parts: Object.fromEntries(['stats', 'gaps', 'targets', 'indicators'].map((p) => [p, shown(document.querySelector(`.brief-part[data-part=${p}]`))])),
      };
    });
    check(!printed.nav && !printed.lang && !printed.button, 'print: navigation, language switch and buttons hidden');
    check(Object.values(printed.parts).every(Boolean), `print: stats, gaps, targets and indicators shown (${JSON.stringify(printed.parts)})`);
    const pdf = await page.pdf({ path: path.join(args.workdir, 'brief-330122.pdf'), format: 'A4', printBackground: true });
    await page.emulateMedia({ media: 'screen' });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    check(pages === 1, `the region brief prints on ${pages} A4 page(s)`);

    // Analyst view: leaders, clusters, two regions compared, heatmap, treemap.
    const [c1, c2] = await Promise.all(['330122', '330602'].map((r) => getJson(base, `/api/v1/chain?region=${r}&track=endo`)));
    await page.goto(`${base}/?view=analyst&region=330100&track=endo&compare=330122,330602`);
    await page.waitForSelector('table.ranked tbody tr', { timeout: 30000 });
    check(true, 'analyst view: leaders table');
    await page.waitForSelector('table.compare', { timeout: 30000 });
    const cmp = await page.$$eval('table.compare tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    const near = (text, x) => Math.abs(parseFloat(text) - x * 100) < 0.051;
    check(cmp[0].length === 3 && near(cmp[1][1], c1.completeness) && near(cmp[1][2], c2.completeness),
      `two regions compared: completeness ${cmp[1].slice(1).join(' / ')} (API: ${pct(c1.completeness)} / ${pct(c2.completeness)})`);
    await page.waitForFunction(() => document.querySelectorAll('.chart canvas').length >= 5, null, { timeout: 30000 });
    check(true, 'analyst view: leaders, clusters, comparison, heatmap and treemap charts drawn');
    await jsonLinkWorks(page, 'analyst view');
    await xlsxLinksWork(page, 'analyst view (leaders, relatedness)', 2);
    await shot(page, 'analyst.png');

    // The province by county (a treemap: no boundary data is bundled): a tile per county with
    // enterprises, as `stats` counts them, and a click opens the county's region view.
    const allStats = await getJson(base, '/api/v1/stats');
    const zjCounties = allStats.regions.filter((r) => r.level === 'county' && r.code.startsWith('33') && r.enterprise > 0);
    await page.waitForSelector('.chart.treemap[data-ready]', { timeout: 30000 });
    const tiles = await page.$eval('.chart.treemap', (e) => parseInt(e.dataset.tiles, 10));
    check(tiles === zjCounties.length && tiles > 0, `treemap: ${tiles} county tiles (API: ${zjCounties.length} counties of 浙江 with enterprises)`);
    // Where the treemap drew a county: its layout (relative to its parent's) summed up the tree.
    const tileAt = (code) => page.evaluate((c) => {
      const el = document.querySelector('.chart.treemap');
      el.scrollIntoView();
      const chart = window.echarts.getInstanceByDom(el);
      const model = chart.getModel().getSeriesByIndex(0);
      let node = null;
      model.getData().tree.root.eachNode((n) => { if (!node && n.getModel().option && n.getModel().option.code === c) node = n; });
      if (!node) return null;
      const own = node.getLayout();
      let x = own.width / 2;
      let y = own.height / 2;
      for (let n = node; n; n = n.parentNode) { const l = n.getLayout(); if (l) { x += l.x; y += l.y; } }
      const box = el.getBoundingClientRect();
      return { x: box.left + (model.layoutInfo ? model.layoutInfo.x : 0) + x, y: box.top + (model.layoutInfo ? model.layoutInfo.y : 0) + y, value: node.getValue() };
    }, code);
    const busiest = [...zjCounties].sort((a, b) => b.enterprise - a.enterprise)[0];
    const at = await tileAt(busiest.code);
    check(at && at.value === busiest.enterprise, `treemap: ${busiest.name}'s tile holds ${at && at.value} enterprises (API: ${busiest.enterprise})`);
    if (at) {
      await page.mouse.click(at.x, at.y);
      await page.waitForSelector('#panorama[data-ready]', { timeout: 30000 });
      check(page.url().includes(`region=${busiest.code}`) && !page.url().includes('view='), `clicking ${busiest.name} in the treemap opens its region view (${page.url().replace(base, '')})`);
    }
    // Coloured by the gaps of a track (缺链 + 弱链, one chain document a county).
    await page.goto(`${base}/?view=analyst&track=endo&measure=gaps`);
    await page.waitForSelector('.chart.treemap[data-ready]', { timeout: 60000 });
    const tongluGaps = await tileAt('330122');
    check(tongluGaps && tongluGaps.value === (chain.counts.missing || 0) + (chain.counts.weak || 0),
      `treemap by gaps: 桐庐县 ${tongluGaps && tongluGaps.value} (API: 缺链 ${chain.counts.missing} + 弱链 ${chain.counts.weak})`);
    await shot(page, 'treemap-gaps.png');
    await context.close();

    // Load time of the region view, fresh context each time (nothing cached but the browser's own).
    const times = [];
    for (let i = 0; i < args.loads; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
      const p = await newPage(ctx);
      await p.goto(`${base}/?region=330122&track=endo`);
      await p.waitForSelector('#panorama[data-ready]', { timeout: 30000 });
      times.push(await p.evaluate(() => window.__console.timings.panorama));
      await ctx.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`region view load (navigation start → panorama rendered), ms: ${times.map((x) => x.toFixed(0)).join(' ')}; median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)}`);

    check(problems.length === 0, `no console errors, page errors or failed requests${problems.length ? ':\n  ' + problems.join('\n  ') : ''}`);
  } finally {
    await browser.close();
    if (server) { server.proc.kill('SIGTERM'); }
  }
  console.log(failures ? `${failures} check(s) failed` : 'all console checks passed');
  process.exit(failures ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
