// The convolens dashboard: four views (views.js) of one report, the controls that choose
// it (range, custom range, number, time zone, conversion event, attribution model, period
// compare), and the data behind it. No framework. The report's shape is the package's
// `Report` type (bindings-wasm/src/types.d.ts).
//
// Two modes. Served by convolens-server, the page carries
// <meta name="convolens-report" content="report">: it then asks that URL for the report
// (the same JSON as `report --json`, the options as query parameters) and never loads
// WebAssembly or takes files. Otherwise (a static server, `examples/web/serve.js`) the
// engine runs in a Web Worker (worker.js): files are read there in chunks with a progress
// bar and a cancel button, and the engine's snapshot is kept in IndexedDB, so a reload
// restores the data. The first visit loads the bundled example data.
//
// `?chunk=BYTES` sets the worker's chunk size (tests use small chunks).

import { $, el, int, download } from './ui.js';
import { VIEWS } from './views.js';

const REPORT_URL = document.querySelector('meta[name="convolens-report"]')?.getAttribute('content') ?? null;
const EXAMPLE_DATA = new URL('../data/example.jsonl', import.meta.url);
const EXAMPLE_CONFIG = new URL('../data/config.json', import.meta.url);
const MODELS = ['last_touch', 'first_touch', 'linear', 'time_decay', 'position_based', 'markov', 'shapley'];
const CHUNK = Number(new URLSearchParams(location.search).get('chunk')) || 4 << 20;

const state = {
  /** `last` option, or null with a custom range (`start`/`end`, end exclusive). */
  last: '30d',
  start: null,
  end: null,
  phone: '',
  tz: '',
  event: '',
  model: '',
  compare: false,
  view: 'sources',
  /** @type {import('../../bindings-wasm/pkg/web/convolens').Report | null} */
  report: null,
  /** With compare: the report of the previous period (the tables the core's `compare`
   * section leaves out compare their rows with it), else null. */
  previous: null,
  /** What the worker says about the loaded data (null: none). */
  meta: null,
};

// The controls and the view survive a reload too (localStorage; the data is in IndexedDB).
const CONTROLS = 'convolens-dashboard-controls';
const CONTROL_KEYS = ['last', 'start', 'end', 'phone', 'tz', 'event', 'model', 'compare', 'view'];

function saveControls() {
  try {
    localStorage.setItem(CONTROLS, JSON.stringify(Object.fromEntries(CONTROL_KEYS.map((k) => [k, state[k]]))));
  } catch {
    // Storage may be disabled: the controls then start from their defaults.
  }
}

/** A saved control's value is used only when it has the control's type. */
const fits = (k, v) => (k === 'compare' ? typeof v === 'boolean'
  : ['last', 'start', 'end'].includes(k) ? v === null || typeof v === 'string' : typeof v === 'string');

function restoreControls() {
  let saved = null;
  try {
    saved = JSON.parse(localStorage.getItem(CONTROLS) ?? 'null');
  } catch {
    saved = null;
  }
  for (const k of CONTROL_KEYS) if (saved && typeof saved === 'object' && fits(k, saved[k])) state[k] = saved[k];
  if (!state.last && !(state.start && state.end)) state.last = '30d';
  if (!Object.hasOwn(VIEWS, state.view)) state.view = 'sources';
  $('#compare').checked = state.compare;
}

function status(text, bad = false) {
  const s = $('#status');
  s.textContent = text;
  s.classList.toggle('bad', bad);
}

// --- the engine: a worker (file mode) or the server -------------------------------------------

let worker = null;
let nextId = 0;
const pending = new Map();

function call(op, args = {}) {
  return new Promise((resolve, reject) => {
    nextId += 1;
    pending.set(nextId, { resolve, reject });
    worker.postMessage({ id: nextId, op, ...args });
  });
}

function onWorkerMessage({ data }) {
  if (data.op === 'progress') {
    $('#progress').value = data.total ? data.done / data.total : 1;
    $('#progress-text').textContent = `${data.file}: ${(data.done / 1e6).toFixed(1)} of ${(data.total / 1e6).toFixed(1)} MB`;
    return;
  }
  const p = pending.get(data.id);
  pending.delete(data.id);
  if (data.ok) p.resolve(data.result);
  else p.reject(Object.assign(new Error(data.error.message), data.error));
}

/** The report options of the controls. */
function options() {
  const o = state.last ? { last: state.last } : { start: state.start, end: state.end };
  if (state.phone) o.phone = state.phone;
  if (state.tz) o.time_zone = state.tz;
  if (state.event) o.conversion_event = state.event;
  if (state.model) o.model = state.model;
  if (state.compare) o.compare = true;
  return o;
}

/** GET `path` (relative to the page) of the server with report options `o` as query
 * parameters (`event` names the conversion event unless `contactsFilter` is given: then
 * it and `source` are the filter of `/contacts`). */
async function fromServer(path, o, contactsFilter = null) {
  const url = new URL(path, document.baseURI);
  for (const [k, v] of Object.entries(contactsFilter ?? {})) url.searchParams.set(k, v);
  for (const [k, v] of Object.entries(o)) {
    url.searchParams.set(k === 'conversion_event' && !contactsFilter ? 'event' : k === 'time_zone' ? 'tz' : k, v === true ? '1' : v);
  }
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}: ${(await res.text()).trim()}`);
  return res;
}

async function fetchReport(o) {
  if (!REPORT_URL) return call('report', { options: o });
  return (await fromServer(REPORT_URL, o)).json();
}

/** The options of the previous period's report: core's rule (compare.md), the range
 * `previous_range` of the compare section — `[from − n days, from)` — with the same number,
 * zone, model and event, without compare. */
function previousOptions(range) {
  const now = options();
  const o = { from: range.from, to: range.to };
  for (const k of ['phone', 'time_zone', 'conversion_event', 'model']) if (now[k] !== undefined) o[k] = now[k];
  return o;
}

/** The contacts CSV of a source or event: the worker's engine, or the server's
 * `GET /contacts` (the same export). */
async function contacts(filter, name) {
  try {
    const { compare, ...o } = options();
    const csv = REPORT_URL ? await (await fromServer('contacts', o, filter)).text() : await call('contacts', { filter, options: o });
    download(`contacts-${name.replace(/[^\w.-]+/g, '_')}.csv`, csv);
  } catch (e) {
    status(`${e.name}: ${e.message}`, true);
  }
}

// --- rendering ------------------------------------------------------------------------------

const nextDay = (d) => {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
};
const prevDay = (d) => {
  const t = new Date(`${d}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() - 1);
  return t.toISOString().slice(0, 10);
};

function fillSelect(sel, values, current, first) {
  const opts = [el('option', { value: '' }, first), ...values.map(([v, text]) => el('option', { value: v }, text))];
  sel.replaceChildren(...opts);
  sel.value = values.some(([v]) => v === current) ? current : '';
}

function renderControls(r) {
  for (const b of document.querySelectorAll('.ranges button')) {
    const on = (b.dataset.last || null) === state.last;
    b.classList.toggle('active', on);
    b.setAttribute('aria-pressed', String(on));
  }
  const ev = r.attribution.conversion_event;
  fillSelect($('#event'), r.events.map((e) => [e.name, `${e.name} (${e.kind.replace('_', ' ')})`]), state.event,
    `Configured event${ev?.name ? ` (${ev.name})` : ''}`);
  fillSelect($('#model'), MODELS.map((m) => [m, m.replace('_', ' ')]), state.model, `Configured model (${r.attribution.model.replace('_', ' ')})`);
  if (state.meta) fillSelect($('#phone'), state.meta.phones.map((p) => [p, p]), state.phone, 'All numbers');
  if ($('#tz').options.length === 1) {
    const zones = Intl.supportedValuesOf('timeZone');
    if (!zones.includes('UTC')) zones.unshift('UTC');
    fillSelect($('#tz'), zones.map((z) => [z, z]), state.tz, `Configured zone (${r.range.time_zone})`);
  }
  $('#from').value = r.range.from;
  $('#to').value = prevDay(r.range.to);
  const prev = r.compare?.previous_range;
  $('#range-label').textContent = `${r.range.from} – ${prevDay(r.range.to)} · ${r.range.days} days · ${r.range.time_zone}`
    + (r.range.phone ? ` · number ${r.range.phone}` : '')
    + (prev ? ` · compared with ${prev.from} – ${prevDay(prev.to)}` : '');
}

function renderView() {
  for (const t of document.querySelectorAll('[role="tab"]')) {
    const on = t.dataset.view === state.view;
    t.setAttribute('aria-selected', String(on));
    t.tabIndex = on ? 0 : -1;
  }
  const panel = $('#panel');
  panel.setAttribute('aria-labelledby', `tab-${state.view}`);
  panel.dataset.view = state.view;
  if (!state.report) {
    panel.replaceChildren(emptyState());
    return;
  }
  panel.replaceChildren(...VIEWS[state.view].render(state.report, { contacts, previous: state.previous }));
}

function emptyState() {
  return el('div', { class: 'empty-state' },
    el('h2', {}, 'No data yet'),
    el('p', {}, 'Drop JSONL files (webhook payloads, outbound records, events, spend) on the box above or choose them, '
      + 'with your configuration .json and rate card .csv if you have them.'),
    el('button', { type: 'button', onclick: loadExample }, 'Load the example data'));
}

async function refresh() {
  if (!REPORT_URL && !state.meta) {
    state.report = null;
    renderView();
    return;
  }
  saveControls();
  try {
    const r = await fetchReport(options());
    const prev = r.compare?.previous_range;
    state.previous = prev ? await fetchReport(previousOptions(prev)) : null;
    state.report = r;
    renderControls(r);
    renderView();
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
  } catch (e) {
    status(`${e.name}: ${e.message}`, true);
  }
}

// --- loading (file mode) ---------------------------------------------------------------------

function describe(meta, verb) {
  const secs = (meta.ms / 1000).toFixed(2);
  const lines = `${int(meta.lines)} line${meta.lines === 1 ? '' : 's'}`;
  const msg = `${verb} ${lines} (${(meta.bytes / 1e6).toFixed(1)} MB) in ${secs} s.`;
  if (!meta.errorCount) return [msg, false];
  const e = meta.errors[0];
  return [`${msg} ${int(meta.errorCount)} could not be read; first: ${e.file} line ${e.line}, column ${e.column}, field ${e.field || '(the document)'}: ${e.message}`, true];
}

function showErrors(meta) {
  const box = $('#errors');
  box.hidden = !meta?.errorCount;
  box.querySelector('ol').replaceChildren(...(meta?.errors ?? []).map((e) => el('li', {},
    `${e.file} line ${e.line}, column ${e.column}, field ${e.field || '(the document)'} (${e.kind}): ${e.message}`)));
}

function busy(on) {
  document.body.dataset.busy = String(on);
  $('#loading').hidden = !on;
  for (const b of [$('#example'), $('#clear'), $('#files')]) b.disabled = on;
  if (on) $('#progress').value = 0;
}

/** Load `files` ([{name, blob}]) with `config` (text, or undefined: keep the current one). */
async function load(files, config, texts, label) {
  busy(true);
  status(`Reading ${files.map((f) => f.name).join(', ')}…`);
  try {
    const meta = await call('load', { files, config, texts, chunkBytes: CHUNK });
    state.meta = meta;
    $('#dataset').textContent = label;
    showErrors(meta);
    const [msg, bad] = describe(meta, 'Read');
    status(msg, bad);
    await refresh();
  } catch (e) {
    status(e.name === 'AbortError' ? e.message : `${e.name}: ${e.message}`, e.name !== 'AbortError');
  } finally {
    busy(false);
  }
}

async function fetchOk(url, how) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url.pathname}: HTTP ${r.status}`);
  return r[how]();
}

async function loadExample() {
  const [data, config] = await Promise.all([fetchOk(EXAMPLE_DATA, 'blob'), fetchOk(EXAMPLE_CONFIG, 'text')]);
  const card = JSON.parse(config).rate_card;
  const texts = typeof card === 'string' ? { [card.split('/').pop()]: await fetchOk(new URL(card, EXAMPLE_CONFIG), 'text') } : {};
  await load([{ name: 'example.jsonl', blob: data }], config, texts, 'the bundled example data');
}

function looksLikeConfig(text) {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) && !('object' in v) && !('type' in v);
  } catch {
    return false;
  }
}

/** Files dropped or chosen: a small `.json` that is a configuration replaces the
 * configuration (its rate card `.csv` among the files); the rest is the new data. */
async function onFiles(fileList) {
  const files = [...fileList];
  if (!files.length) return;
  const texts = {};
  const inputs = [];
  let config;
  for (const f of files) {
    if (/\.csv$/i.test(f.name)) texts[f.name] = await f.text();
    else if (/\.json$/i.test(f.name) && f.size < 1 << 20 && config === undefined && looksLikeConfig(await f.text())) config = await f.text();
    else inputs.push({ name: f.name, blob: f });
  }
  await load(inputs, config, config === undefined ? undefined : texts, files.map((f) => f.name).join(', '));
}

async function clearData() {
  await call('clear');
  state.meta = null;
  state.report = null;
  state.previous = null;
  showErrors(null);
  $('#dataset').textContent = 'nothing';
  status('Data cleared from this page and from this browser\'s storage.');
  renderView();
}

// --- controls -------------------------------------------------------------------------------

function wireControls() {
  for (const b of document.querySelectorAll('.ranges button')) {
    b.addEventListener('click', () => {
      state.last = b.dataset.last;
      refresh();
    });
  }
  $('#apply-range').addEventListener('click', () => {
    const from = $('#from').value;
    const to = $('#to').value;
    if (!from || !to || to < from) {
      status('Custom range: choose a first day and a last day on or after it.', true);
      return;
    }
    Object.assign(state, { last: null, start: from, end: nextDay(to) });
    refresh();
  });
  for (const [id, key] of [['phone', 'phone'], ['tz', 'tz'], ['event', 'event'], ['model', 'model']]) {
    $(`#${id}`).addEventListener('change', (e) => {
      state[key] = e.target.value;
      refresh();
    });
  }
  $('#compare').addEventListener('change', (e) => {
    state.compare = e.target.checked;
    refresh();
  });
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  tabs.forEach((t, i) => {
    t.addEventListener('click', () => {
      state.view = t.dataset.view;
      saveControls();
      renderView();
    });
    t.addEventListener('keydown', (e) => {
      const j = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : null;
      if (j === null) return;
      const next = tabs[(j + tabs.length) % tabs.length];
      next.focus();
      next.click();
    });
  });
}

function wireFiles() {
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
  drop.addEventListener('keydown', (e) => {
    if (e.target === drop && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      $('#files').click();
    }
  });
  $('#files').addEventListener('change', (e) => onFiles(e.target.files));
  $('#example').addEventListener('click', loadExample);
  $('#clear').addEventListener('click', clearData);
  $('#cancel').addEventListener('click', () => call('cancel'));
}

/** Server mode: the server's report does not name the business numbers (in file mode the
 * worker finds them in the files it reads), so the number is typed, not chosen. */
function typedPhone() {
  const why = 'The server\'s report does not list its numbers: type a phone_number_id and press Enter, or leave it empty for all numbers.';
  const input = el('input', { id: 'phone', type: 'text', inputmode: 'numeric', placeholder: 'all numbers', size: 18, title: why, 'aria-describedby': 'phone-note' });
  input.value = state.phone;
  $('#phone').replaceWith(input);
  input.after(el('span', { id: 'phone-note', class: 'sr-only' }, why));
}

async function main() {
  restoreControls();
  if (REPORT_URL !== null) typedPhone();
  wireControls();
  if (REPORT_URL !== null) {
    document.body.dataset.mode = 'server';
    $('#drop').hidden = true;
    $('h1 .sub').textContent = 'WhatsApp analytics, live from convolens-server';
    $('footer').textContent = 'convolens-server · the report is computed on the server';
    const live = async () => {
      await refresh();
      const lines = state.report?.input.lines ?? 0;
      if (state.report) {
        status(`Live from the server: ${int(lines)} line${lines === 1 ? '' : 's'} received`
          + (state.report.input.errors ? `, ${int(state.report.input.errors)} could not be read.` : '.'), state.report.input.errors > 0);
      }
    };
    await live();
    // New webhooks keep arriving: follow them.
    setInterval(live, 30_000);
    return;
  }
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = onWorkerMessage;
  worker.onerror = (e) => status(`The engine worker failed: ${e.message}`, true);
  wireFiles();
  const started = await call('start');
  $('#version').textContent = started.version;
  if (started.restored) {
    state.meta = started.meta;
    $('#dataset').textContent = started.meta.files.join(', ');
    showErrors(started.meta);
    const [msg, bad] = describe(started.meta, 'Restored from this browser\'s storage:');
    status(msg, bad);
    await refresh();
  } else if (started.cleared) {
    $('#dataset').textContent = 'nothing';
    status('No data: drop JSONL files, or load the example data.');
    renderView();
  } else {
    await loadExample();
  }
}

window.convolensDashboard = { state, options };
window.convolensDashboard.ready = main()
  .then(() => {
    document.body.dataset.state = 'ready';
  })
  .catch((e) => {
    status(`Could not start: ${e.message}`, true);
    document.body.dataset.state = 'failed';
    throw e;
  });
