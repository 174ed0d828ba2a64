// The convolens dashboard: loads the WASM package, ingests the bundled example data (or
// the files a person drops), and renders the report: the sources table, daily active
// users, message volume, billing cost by category and the template table, over the range
// the buttons choose. No framework; no network beyond this site's own files. The report's
// shape is the package's `Report` type (bindings-wasm/src/types.d.ts).
//
// Two modes. Served by convolens-server, the page carries
// <meta name="convolens-report" content="report">: it then asks that URL for the report
// (`?last=30d`, the same JSON as `report --json`) and never loads WebAssembly or takes
// files. Otherwise (a static server, `examples/web/serve.js`) it computes the report in
// the browser as described above.

const REPORT_URL = document.querySelector('meta[name="convolens-report"]')?.getAttribute('content') ?? null;
/** The WASM package's `Engine` class, once loaded (file mode only). */
let Engine = null;

const EXAMPLE_DATA = new URL('../data/example.jsonl', import.meta.url);
const EXAMPLE_CONFIG = new URL('../data/config.json', import.meta.url);

const $ = (sel) => document.querySelector(sel);
const state = {
  engine: null,
  /** @type {string | null} the `last` option; null = every ingested day */
  last: '30d',
  /** @type {import('../../bindings-wasm/pkg/web/convolens').Report | null} */
  report: null,
  config: undefined,
  readFile: undefined,
};

// --- formatting ------------------------------------------------------------------------

const nf = new Intl.NumberFormat('en-US');
const int = (v) => nf.format(v);
const pct = (v) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
const times = (v) => (v === null ? '—' : `${v.toFixed(2)}×`);
function money(v, currency) {
  if (v === null || v === undefined) return '—';
  try {
    return v.toLocaleString('en-US', { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
  } catch {
    return `${v.toFixed(2)} ${currency}`;
  }
}
const label = (s) => s.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const KIND = {
  meta_ad: 'Meta ad', meta_post: 'Meta post', meta_campaign: 'Meta campaign', custom: 'Custom', campaign: 'Campaign',
  direct: 'Direct',
};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

// --- sections ----------------------------------------------------------------------------

/** A table: `columns` are [heading, cell(row), numeric?]. */
function table(rows, columns, empty) {
  if (!rows.length) return el('p', { class: 'empty' }, empty);
  return el('div', { class: 'scroll' }, el('table', {},
    el('thead', {}, el('tr', {}, ...columns.map(([h, , num]) => el('th', { class: num ? 'num' : '' }, h)))),
    el('tbody', {}, ...rows.map((r) => el('tr', {},
      ...columns.map(([, cell, num]) => el('td', { class: num ? 'num' : '' }, cell(r))))))));
}

function kpis(r) {
  const cur = r.billing.cost.currency;
  const items = [
    ['Active users', int(r.engagement.active_users), `${int(r.engagement.new_users)} new`],
    ['Messages received', int(r.engagement.messages_received), `${int(r.engagement.messages_sent)} sent`],
    // `overall` counts each conversation once (a Meta campaign's row repeats its ads').
    ['Conversations', int(r.overall.conversations), `${int(r.overall.leads)} leads`],
    ['Revenue', money(r.overall.revenue, r.attribution.currency),
      `${int(r.attribution.events)} events`],
    ['Billing cost', money(r.billing.cost.total, cur), `pricing: ${r.billing.model}`],
  ];
  return el('div', { class: 'kpis' }, ...items.map(([k, v, sub]) => el('div', { class: 'kpi' },
    el('div', { class: 'kpi-label' }, k), el('div', { class: 'kpi-value' }, v), el('div', { class: 'kpi-sub' }, sub))));
}

/** The 360dialog-style sources table: one row per source over the range. */
function sources(r) {
  const cur = r.attribution.currency;
  return table(r.sources, [
    ['Source', (s) => el('span', {}, el('b', {}, s.name), el('span', { class: 'key' }, s.key))],
    ['Type', (s) => el('span', { class: `tag ${s.kind}` }, KIND[s.kind] ?? s.kind)],
    ['Conversations', (s) => int(s.conversations), true],
    ['Leads', (s) => int(s.leads), true],
    ['Conversion rate', (s) => pct(s.conversion_rate), true],
    ['Invested', (s) => money(s.invested, cur), true],
    ['Cost per lead', (s) => money(s.conversion_cost, cur), true],
    ['Revenue', (s) => money(s.revenue, cur), true],
    ['ROAS', (s) => times(s.roas), true],
  ], 'No conversations in this range.');
}

function templates(r) {
  const cur = r.billing.cost.currency;
  // Cost and conversions are `null` when the report has none for templates: no column then.
  const has = (k) => r.templates.some((t) => t[k] !== null);
  const value = r.attribution.currency;
  return table(r.templates, [
    ['Template', (t) => el('b', {}, t.name)],
    ['Category', (t) => el('span', { class: `tag ${t.category}` }, label(t.category))],
    ['Sent', (t) => int(t.sent), true],
    ['Delivered', (t) => int(t.delivered), true],
    ['Read', (t) => int(t.read), true],
    ['Replied', (t) => int(t.replied), true],
    ['Clicks', (t) => int(t.clicks), true],
    ['CTR', (t) => pct(t.ctr), true],
    ['Failed', (t) => int(Object.values(t.failed).reduce((s, n) => s + n, 0)), true],
    ...(has('cost') ? [['Cost', (t) => money(t.cost, cur), true]] : []),
    ...(has('conversions') ? [['Conversions', (t) => (t.conversions === null ? '—' : nf.format(+t.conversions.toFixed(2))), true]] : []),
    ...(has('conversion_value') ? [['Value', (t) => money(t.conversion_value, value), true]] : []),
  ], 'No templates sent in this range.');
}

const COLOURS = { a: '#25a55f', b: '#3b7dd8' };

/** A daily chart: bars for one series, or lines for two; `series` = [[name, values, colour]]. */
function chart(dates, series) {
  if (!dates.length) return el('p', { class: 'empty' }, 'No days in this range.');
  const W = 600, H = 200, L = 40, R = 8, B = 22, T = 8;
  const max = Math.max(1, ...series.flatMap(([, vs]) => vs));
  const step = (W - L - R) / dates.length;
  const x = (i) => L + step * (i + 0.5);
  const y = (v) => H - B - ((H - B - T) * v) / max;
  const g = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img' });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    g.append(svg('line', { x1: L, x2: W - R, y1: y(max * f), y2: y(max * f), class: 'grid' }));
    if (f % 0.5 === 0) {
      g.append(svg('text', { x: L - 6, y: y(max * f) + 3, class: 'axis', 'text-anchor': 'end' }, int(Math.round(max * f))));
    }
  }
  // Every day up to two weeks, else six evenly spaced dates.
  const ticks = dates.length <= 14 ? dates.map((_, i) => i)
    : [0, 1, 2, 3, 4, 5].map((k) => Math.round((k * (dates.length - 1)) / 5));
  for (const i of ticks) {
    g.append(svg('text', { x: x(i), y: H - 6, class: 'axis', 'text-anchor': 'middle' }, dates[i].slice(5)));
  }
  if (series.length === 1) {
    const [name, vs, colour] = series[0];
    const bw = Math.max(1, step * 0.7);
    vs.forEach((v, i) => g.append(svg('rect', { x: x(i) - bw / 2, y: y(v), width: bw, height: H - B - y(v), fill: colour, rx: 1 },
      svg('title', {}, `${dates[i]}: ${int(v)} ${name}`))));
  } else {
    for (const [, vs, colour] of series) {
      const pts = vs.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      g.append(svg('path', { d: `M${x(0).toFixed(1)},${y(0)}L${pts.join('L')}L${x(vs.length - 1).toFixed(1)},${y(0)}Z`, fill: colour, 'fill-opacity': 0.12 }));
      g.append(svg('path', { d: `M${pts.join('L')}`, fill: 'none', stroke: colour, 'stroke-width': 1.8, 'stroke-linejoin': 'round' }));
    }
  }
  const legend = el('div', { class: 'legend' }, ...series.map(([name, vs, colour]) => el('span', {},
    el('i', { style: `background:${colour}` }), `${name}: ${int(vs.reduce((s, v) => s + v, 0))}`)));
  return el('div', {}, g, legend);
}

function dau(r) {
  const d = r.engagement.daily_active;
  return chart(d.map((x) => x.date), [['user-days', d.map((x) => x.users), COLOURS.a]]);
}

function volume(r) {
  const d = r.engagement.daily_volume;
  return chart(d.map((x) => x.date), [
    ['received', d.map((x) => x.received), COLOURS.a],
    ['sent', d.map((x) => x.sent), COLOURS.b],
  ]);
}

const SERVICE = { free: 'free', charged: 'charged', mixed: 'free, then charged' };

function cost(r) {
  const c = r.billing.cost;
  // Meta Business Agent messages get a bar only when there are some.
  const rows = Object.entries(c.by_category)
    .filter(([cat]) => cat !== 'meta_business_agent' || r.billing.meta_business_agent.delivered > 0)
    .sort((a, b) => b[1] - a[1]);
  const max = Math.max(1e-9, ...rows.map(([, v]) => v));
  const counts = r.billing.charged_messages;
  const conv = r.billing.conversations;
  return el('div', {},
    el('div', { class: 'bars' }, ...rows.map(([cat, v]) => el('div', { class: 'bar-row' },
      el('span', { class: 'bar-label' }, label(cat)),
      el('span', { class: 'bar-track' }, el('span', { class: `bar ${cat}`, style: `width:${((100 * v) / max).toFixed(1)}%` })),
      el('span', { class: 'bar-value' }, money(v, c.currency)),
      el('span', { class: 'bar-count' }, [
        counts[cat] ? `${int(counts[cat])} charged messages` : '',
        conv[cat] ? `${int(conv[cat])} conversations` : '',
      ].filter(Boolean).join(' · '))))),
    el('p', { class: 'total' }, `Total ${money(c.total, c.currency)} · ${r.billing.model}`,
      // From 2026-10-01 Meta charges service (free-form) messages: say which applies.
      ` · service messages ${SERVICE[r.billing.service]}`,
      c.unpriced ? ` · ${int(c.unpriced)} unpriced` : '',
      ` · ${int(Object.values(r.billing.free_messages).reduce((s, n) => s + n, 0))} free messages`),
    ...r.warnings.map((w) => el('p', { class: 'warning' }, `⚠ ${w}`)));
}

function fill(id, node) {
  $(`#${id} .body`).replaceChildren(node);
}

/** Render a report. */
export function render(r) {
  state.report = r;
  fill('sec-kpis', kpis(r));
  fill('sec-sources', sources(r));
  fill('sec-dau', dau(r));
  fill('sec-volume', volume(r));
  fill('sec-cost', cost(r));
  fill('sec-templates', templates(r));
  const last = new Date(`${r.range.to}T00:00:00Z`);
  last.setUTCDate(last.getUTCDate() - 1);
  $('#range-label').textContent =
    `${r.range.from} – ${last.toISOString().slice(0, 10)} · ${r.range.days} days · ${r.range.time_zone}`;
  for (const b of document.querySelectorAll('.ranges button')) {
    b.classList.toggle('active', (b.dataset.last || null) === state.last);
  }
}

function refresh() {
  if (REPORT_URL !== null) return refreshFromServer();
  try {
    render(state.engine.report(state.last ? { last: state.last } : {}));
  } catch (e) {
    status(`${e.name}: ${e.message}`, true);
  }
  return Promise.resolve();
}

/** Server mode: ask the server for the report over the chosen range. */
async function refreshFromServer() {
  const url = new URL(REPORT_URL, document.baseURI);
  if (state.last) url.searchParams.set('last', state.last);
  try {
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}: ${(await res.text()).trim()}`);
    const r = await res.json();
    render(r);
    const lines = r.input.lines;
    status(`Live from the server: ${int(lines)} line${lines === 1 ? '' : 's'} received`
      + (r.input.errors ? `, ${int(r.input.errors)} could not be read.` : '.'), r.input.errors > 0);
  } catch (e) {
    status(`${e.name}: ${e.message}`, true);
  }
}

function status(text, bad = false) {
  const s = $('#status');
  s.textContent = text;
  s.classList.toggle('bad', bad);
}

// --- loading -----------------------------------------------------------------------------

/** Start over with `config` (JSON text or undefined, its `rate_card` path read with
 * `readFile`) and `inputs` ([{name, bytes}]); JSONL line by line, `.json` as one document. */
function load(config, readFile, inputs) {
  const t0 = performance.now();
  const engine = new Engine(config, readFile);
  let lines = 0;
  let bytes = 0;
  const errors = [];
  for (const { name, bytes: b } of inputs) {
    bytes += b.length;
    if (name.toLowerCase().endsWith('.json')) {
      lines += 1;
      try {
        engine.ingest(b);
      } catch (e) {
        errors.push(`${name}: ${e.message}`);
      }
    } else {
      const out = engine.ingestJsonl(b);
      lines += out.lines;
      for (const e of out.errors) errors.push(`${name} line ${e.line}${e.field ? `, field ${e.field}` : ''}: ${e.message}`);
    }
  }
  state.engine?.free();
  state.engine = engine;
  state.config = config;
  state.readFile = readFile;
  const secs = ((performance.now() - t0) / 1000).toFixed(2);
  const msg = `Read ${int(lines)} line${lines === 1 ? '' : 's'} (${(bytes / 1e6).toFixed(1)} MB) in ${secs} s.`;
  status(errors.length ? `${msg} ${int(errors.length)} could not be read; first: ${errors[0]}` : msg, errors.length > 0);
  refresh();
}

/** Files dropped or chosen: a `.json` file that is a configuration replaces the
 * configuration (its `rate_card` may be among the files); the rest is the new data. */
async function onFiles(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  const texts = new Map();
  const inputs = [];
  let config;
  for (const f of files) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    const text = () => new TextDecoder().decode(bytes);
    if (/\.(csv)$/i.test(f.name)) {
      texts.set(f.name, text());
    } else if (/\.json$/i.test(f.name) && config === undefined && looksLikeConfig(text())) {
      config = text();
    } else {
      inputs.push({ name: f.name, bytes });
    }
  }
  const readFile = config === undefined
    ? state.readFile
    : (p) => {
      const t = texts.get(p.split('/').pop());
      if (t === undefined) throw new Error(`drop ${p} together with the configuration`);
      return t;
    };
  $('#dataset').textContent = files.map((f) => f.name).join(', ');
  try {
    load(config ?? state.config, readFile, inputs);
  } catch (e) {
    status(`${e.name}: ${e.message}`, true);
  }
}

function looksLikeConfig(text) {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !('object' in v) && !('type' in v);
  } catch {
    return false;
  }
}

async function fetchOk(url, how) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url.pathname}: HTTP ${r.status}`);
  return r[how]();
}

async function main() {
  for (const b of document.querySelectorAll('.ranges button')) {
    b.addEventListener('click', () => {
      state.last = b.dataset.last || null;
      refresh();
    });
  }
  if (REPORT_URL !== null) {
    document.body.dataset.mode = 'server';
    $('#drop').hidden = true;
    $('h1 .sub').textContent = 'WhatsApp analytics, live from convolens-server';
    $('footer').textContent = 'convolens-server · the report is computed on the server';
    await refresh();
    // New webhooks keep arriving: follow them.
    setInterval(refresh, 30_000);
    return;
  }
  const wasm = await import('../../bindings-wasm/pkg/web/convolens.js');
  await wasm.default();
  Engine = wasm.Engine;
  $('#version').textContent = wasm.version();
  const drop = $('#drop');
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    onFiles(e.dataTransfer.files);
  });
  $('#files').addEventListener('change', (e) => onFiles(e.target.files));

  const [data, config] = await Promise.all([fetchOk(EXAMPLE_DATA, 'arrayBuffer'), fetchOk(EXAMPLE_CONFIG, 'text')]);
  // The example config names its rate card by a path beside it: fetch it first, since
  // `readFile` must answer synchronously.
  const card = JSON.parse(config).rate_card;
  const cardText = typeof card === 'string' ? await fetchOk(new URL(card, EXAMPLE_CONFIG), 'text') : undefined;
  const readFile = (p) => {
    if (p !== card) throw new Error(`no file ${p}`);
    return cardText;
  };
  load(config, readFile, [{ name: 'example.jsonl', bytes: new Uint8Array(data) }]);
}

window.convolensDashboard = { render, state };
window.convolensDashboard.ready = main()
  .then(() => {
    document.body.dataset.state = 'ready';
  })
  .catch((e) => {
    status(`Could not start: ${e.message}`, true);
    document.body.dataset.state = 'failed';
    throw e;
  });
