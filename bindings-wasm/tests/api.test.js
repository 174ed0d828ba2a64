'use strict';
// Every exported function of the package, errors included.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pkgDir, sharedData, inbound, outbound, filesIn } = require('./helpers');
const convolens = require(pkgDir);
const { Engine, version } = convolens;

const T0 = 1751400000; // 2025-07-01T20:00:00Z
const DAY = 86400;

/** The report minus the arrival-dependent counters, for comparing states. */
function state(engine) {
  const r = engine.report();
  delete r.input.lines;
  delete r.input.duplicates;
  delete r.input.ingested;
  return r;
}

/** Assert `fn` throws an `Error` named `name` whose own properties include `props`. */
function throwsNamed(fn, name, props = {}, message = undefined) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, `expected an Error, got ${caught}`);
  assert.equal(caught.name, name, caught.message);
  // The package's classes recognise what the engine throws.
  if (name in convolens) {
    assert.ok(caught instanceof convolens[name], `instanceof ${name}`);
    assert.ok(caught instanceof convolens.ConvolensError, 'instanceof ConvolensError');
  }
  for (const [k, v] of Object.entries(props)) assert.deepEqual(caught[k], v, `${k} of ${caught.message}`);
  if (message) assert.match(caught.message, message);
  return caught;
}

test('the package exports Engine, version and the error classes, and nothing untyped', () => {
  assert.deepEqual(Object.keys(convolens).sort(), [
    'ConfigError', 'ConvolensError', 'Engine', 'ParseError', 'ReportError', 'SnapshotError', 'version',
  ]);
  for (const name of ['ParseError', 'ConfigError', 'ReportError', 'SnapshotError']) {
    const e = new convolens[name]('x');
    assert.ok(e instanceof convolens.ConvolensError && e instanceof Error && e.name === name);
    assert.ok(!(new convolens.ConvolensError('x') instanceof convolens[name]));
  }
  assert.ok(!(new TypeError('x') instanceof convolens.ConvolensError));
  assert.equal(typeof Engine, 'function');
  assert.match(version(), /^\d+\.\d+\.\d+/);
  const dts = fs.readFileSync(path.join(pkgDir, 'convolens.d.ts'), 'utf8');
  const anys = dts.split('\n').filter((l) => !/^\s*(\/\*|\*|\/\/)/.test(l) && /[:|<(,]\s*any\b/.test(l));
  assert.deepEqual(anys, [], 'the type definitions use no `any`');
  assert.match(dts, /export interface Report \{/);
  assert.match(dts, /report\(options\?: ReportOptions \| string \| null\): Report;/);
});

test('constructor: default, object and JSON-text configs; config() fills defaults', () => {
  assert.equal(new Engine().config().time_zone, 'UTC');
  // No currency configured: null, and each report chooses one (the rate card's, else the money records').
  assert.equal(new Engine(null).config().currency, null);
  const e = new Engine({ time_zone: 'Europe/Madrid', currency: 'EUR', quota: 10 });
  const c = e.config();
  assert.equal(c.time_zone, 'Europe/Madrid');
  assert.equal(c.currency, 'EUR');
  assert.equal(c.quota, 10);
  assert.equal(c.inactivity_timeout_hours, 24);
  assert.equal(new Engine('{"time_zone":"Asia/Tokyo"}').config().time_zone, 'Asia/Tokyo');
});

test('constructor: bad configs throw ConfigError naming the key', () => {
  throwsNamed(() => new Engine({ colour: 'red' }), 'ConfigError', { key: 'colour' }, /colour/);
  throwsNamed(() => new Engine({ attribution: { lookback_days: 0 } }), 'ConfigError',
    { key: 'attribution.lookback_days' });
  throwsNamed(() => new Engine({ time_zone: 'Mars/Olympus' }), 'ConfigError', {}, /Mars\/Olympus/);
  throwsNamed(() => new Engine({ inactivity_timeout_hours: 'x' }), 'ConfigError',
    { key: 'inactivity_timeout_hours' });
  throwsNamed(() => new Engine('{"time_zone":'), 'ConfigError');
  throwsNamed(() => new Engine(42), 'TypeError', {}, /config must be an object/);
  const cyclic = {};
  cyclic.self = cyclic;
  throwsNamed(() => new Engine(cyclic), 'TypeError', {}, /cannot be turned into JSON/);
});

test('constructor: a rate card path is resolved through readFile', () => {
  const csv = 'market,category,price,currency,effective_from\nGermany,marketing,0.1365,EUR,2025-07-01\n';
  const seen = [];
  const e = new Engine({ rate_card: 'rates.csv' }, (p) => {
    seen.push(p);
    return csv;
  });
  assert.deepEqual(seen, ['rates.csv']);
  assert.deepEqual(e.config().rate_card, [
    { market: 'Germany', category: 'marketing', price: 0.1365, currency: 'EUR', effective_from: '2025-07-01' },
  ]);
  // Without readFile the core refuses the unresolved path.
  throwsNamed(() => new Engine({ rate_card: 'rates.csv' }), 'ConfigError', { key: 'rate_card' }, /path/);
  // A failing or wrong readFile is a ConfigError / TypeError, not a crash.
  throwsNamed(() => new Engine({ rate_card: 'nope.csv' }, () => { throw new Error('ENOENT nope.csv'); }),
    'ConfigError', { key: 'rate_card' }, /ENOENT nope\.csv/);
  throwsNamed(() => new Engine({ rate_card: 'x.json' }, () => 7), 'ConfigError', {}, /did not return a string/);
  throwsNamed(() => new Engine({ rate_card: 'x.json' }, 'not a function'), 'TypeError');
});

test('ingest: objects, JSON text and bytes; duplicates are counted once', () => {
  const e = new Engine();
  assert.deepEqual(e.ingest(inbound('wamid.in1', '4915112345678', T0, 'Hi')),
    { ingested: 1, duplicates: 0, ignored: [] });
  assert.deepEqual(e.ingest(JSON.stringify(inbound('wamid.in1', '4915112345678', T0, 'Hi'))),
    { ingested: 0, duplicates: 1, ignored: [] });
  const bytes = new TextEncoder().encode(JSON.stringify(outbound('wamid.o1', '4915112345678', T0 + 60)));
  assert.deepEqual(e.ingest(bytes), { ingested: 1, duplicates: 0, ignored: [] });
  // A JSON array of documents is one call.
  const arr = [outbound('wamid.o2', '4915112345678', T0 + 70), outbound('wamid.o3', '4915112345678', T0 + 80)];
  assert.equal(e.ingest(arr).ingested, 2);
  const r = e.report();
  assert.deepEqual(r.input.messages, { text: 1 });
  assert.deepEqual(r.input.records, { outbound: 3 });
  assert.equal(r.input.lines, 4);
  assert.equal(r.input.duplicates, 1);
});

test('ingest: bad documents throw ParseError naming line and field; the engine goes on', () => {
  const e = new Engine();
  e.ingest(outbound('wamid.o1', '4915112345678', T0));
  // The second document the engine sees is its line 2.
  const err = throwsNamed(() => e.ingest({ type: 'outbound', to: '4915112345678', timestamp: T0 }),
    'ParseError', { kind: 'schema', line: 2, field: 'id' });
  assert.match(err.message, /^line 2, field `id`: /);
  throwsNamed(() => e.ingest('{"type":"outbound",'), 'ParseError', { kind: 'truncated', line: 3 });
  throwsNamed(() => e.ingest('{"type":"outbound" "id":1}'), 'ParseError', { kind: 'syntax', line: 4 });
  throwsNamed(() => e.ingest({ type: 'outbound', id: 'x', to: '1', timestamp: 'yesterday' }), 'ParseError',
    { field: 'timestamp' });
  throwsNamed(() => e.ingest({ hello: 'world' }), 'ParseError', { kind: 'unknown_record' });
  throwsNamed(() => e.ingest(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), 'ParseError');
  throwsNamed(() => e.ingest(''), 'ParseError', { kind: 'empty' });
  throwsNamed(() => e.ingest(12), 'TypeError');
  throwsNamed(() => e.ingest(undefined), 'TypeError');
  throwsNamed(() => e.ingest(), 'TypeError');
  const r = e.report();
  assert.equal(r.input.errors, 7);
  assert.deepEqual(r.input.records, { outbound: 1 });
  assert.equal(e.ingest(outbound('wamid.o2', '4915112345678', T0 + 1)).ingested, 1);
});

test('ingestJsonl: text and bytes in one call; bad lines are listed, numbered within the call', () => {
  const e = new Engine();
  e.ingest(outbound('wamid.first', '4915112345678', T0));
  const lines = [
    JSON.stringify(inbound('wamid.in1', '4915112345678', T0 + 10, 'Hi')),
    '',
    '{"type":"outbound","id":"wamid.o1"', // truncated: line 3
    JSON.stringify(outbound('wamid.o2', '4915112345678', T0 + 20)),
    '{"type":"spend","source":"meta_ad:1","date":"2025-07-01","amount":"lots"}', // line 5
  ];
  const out = e.ingestJsonl(lines.join('\n') + '\n');
  assert.equal(out.lines, 5);
  assert.deepEqual(out.outcome, { ingested: 2, duplicates: 0, ignored: [] });
  assert.deepEqual(out.errors.map((x) => [x.line, x.kind]), [[3, 'truncated'], [5, 'value']]);
  assert.equal(out.errors[1].field, 'amount');
  assert.equal(typeof out.errors[1].message, 'string');
  assert.equal(typeof out.errors[1].column, 'number');
  // The same text again as bytes: everything is a duplicate; CRLF and a BOM are accepted.
  const bytes = new TextEncoder().encode('\ufeff' + lines.join('\r\n'));
  const again = e.ingestJsonl(bytes);
  assert.deepEqual(again.outcome, { ingested: 0, duplicates: 2, ignored: [] });
  assert.deepEqual(again.errors.map((x) => x.line), [3, 5]);
  // Node Buffers are Uint8Arrays.
  assert.equal(e.ingestJsonl(Buffer.from(JSON.stringify(outbound('wamid.o3', '4915112345678', T0 + 30)))).outcome.ingested, 1);
  assert.deepEqual(e.ingestJsonl(''), { lines: 0, outcome: { ingested: 0, duplicates: 0, ignored: [] }, errors: [] });
  throwsNamed(() => e.ingestJsonl({}), 'TypeError', {}, /string or a Uint8Array/);
  throwsNamed(() => e.ingestJsonl(), 'TypeError');
  // Invalid UTF-8 is a per-line error, not a crash.
  const bad = e.ingestJsonl(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x7d, 0x0a]));
  assert.equal(bad.errors.length, 1);
  assert.equal(bad.errors[0].line, 1);
});

test('setMaxLineBytes: longer lines are too_long errors', () => {
  const e = new Engine();
  e.setMaxLineBytes(64);
  const long = JSON.stringify(outbound('wamid.' + 'x'.repeat(100), '4915112345678', T0));
  const out = e.ingestJsonl(`${long}\n`);
  assert.deepEqual(out.errors.map((x) => [x.line, x.kind]), [[1, 'too_long']]);
});

test('maxDocumentBytes: per document and per array element, settable (issue 19.7)', () => {
  const e = new Engine();
  assert.equal(e.maxDocumentBytes, 16 * 1024 * 1024);
  e.setMaxDocumentBytes(1000);
  assert.equal(e.maxDocumentBytes, 1000);
  // An array of 200 records is far over the limit; each element is under it.
  const docs = [];
  for (let i = 0; i < 200; i++) docs.push(outbound(`wamid.a${i}`, '4915112345678', T0 + i));
  const text = JSON.stringify(docs);
  assert.ok(text.length > 10 * 1000);
  const out = e.ingestJsonl(text);
  assert.deepEqual([out.outcome.ingested, out.errors], [200, []]);
  throwsNamed(() => e.setMaxDocumentBytes(0), 'RangeError');
});

test('ingestJsonl: a JSON array element by element, glued documents split (issues 19.2, 19.7)', () => {
  const e = new Engine();
  const docs = [];
  for (let i = 0; i < 41; i++) docs.push(outbound(`wamid.b${i}`, '4915112345678', i === 17 ? 'soon' : T0 + i));
  const out = e.ingestJsonl(JSON.stringify(docs, null, 2));
  assert.equal(out.outcome.ingested, 40);
  assert.deepEqual(out.errors.map((x) => [x.kind, x.field]), [['value', '[17].timestamp']]);
  // Documents glued `}{` on one line.
  const glued = [0, 1, 2].map((i) => JSON.stringify(outbound(`wamid.g${i}`, '4915112345678', T0 + i))).join('');
  const g = new Engine().ingestJsonl(glued);
  assert.deepEqual([g.lines, g.outcome.ingested, g.errors], [1, 3, []]);
});

test('conflicting versions are counted and resolved the same in any order (issue 19.3)', () => {
  const a = outbound('wamid.c', '4915112345678', T0, { kind: 'template', template: 'promo', category: 'marketing' });
  const b = outbound('wamid.c', '4915112345678', T0 + 60, { kind: 'template', template: 'update', category: 'utility' });
  const reports = [[a, b], [b, a]].map((docs) => {
    const e = new Engine();
    for (const d of docs) e.ingest(d);
    return e.report();
  });
  assert.deepEqual(reports[0], reports[1]);
  assert.equal(reports[0].input.conflicts, 1);
  // The later record wins.
  assert.deepEqual(reports[0].templates.map((t) => t.name), ['update']);
});

test('report: options as object or JSON text; ranges; phone filter', () => {
  const e = new Engine({ time_zone: 'UTC' });
  for (let d = 0; d < 40; d++) e.ingest(outbound(`wamid.o${d}`, '4915112345678', T0 + d * DAY));
  const all = e.report();
  assert.deepEqual(all.range, { from: '2025-07-01', to: '2025-08-10', days: 40, time_zone: 'UTC', phone: null });
  // 7d ends at the latest day (2025-08-09) inclusive.
  assert.deepEqual(e.report({ last: '7d' }).range, { from: '2025-08-03', to: '2025-08-10', days: 7, time_zone: 'UTC', phone: null });
  assert.deepEqual(e.report('{"last":"14d"}').range.from, '2025-07-27');
  assert.deepEqual(e.report({ from: '2025-07-02', to: '2025-07-05' }).range.days, 3);
  assert.equal(e.report({ time_zone: 'America/New_York' }).range.time_zone, 'America/New_York');
  assert.equal(e.report({ phone: 'PN1' }).range.phone, 'PN1');
  assert.equal(e.report({ model: 'linear' }).range.days, 40);
  assert.deepEqual(e.report(null), all);
  assert.deepEqual(e.report(undefined), all);
});

test('report: bad options throw ReportError naming the option', () => {
  const e = new Engine();
  e.ingest(outbound('wamid.o1', '4915112345678', T0));
  throwsNamed(() => e.report({ lats: '7d' }), 'ReportError', { kind: 'option' }, /lats/);
  throwsNamed(() => e.report({ from: 20250701 }), 'ReportError', { kind: 'option', option: 'from' });
  throwsNamed(() => e.report({ from: '2025-13-01' }), 'ReportError', { option: 'from' });
  // `start`/`end` (Python's names) are accepted and named as written.
  throwsNamed(() => e.report({ start: '2025-13-01' }), 'ReportError', { option: 'start' });
  assert.deepEqual(e.report({ start: '2025-07-01', end: '2025-07-08' }).range.days, 7);
  throwsNamed(() => e.report({ last: 'forever' }), 'ReportError', { kind: 'option', option: 'last' }, /forever/);
  throwsNamed(() => e.report({ last: '7d', from: '2025-07-01' }), 'ReportError', { option: 'last' });
  throwsNamed(() => e.report({ from: '2025-07-05', to: '2025-07-01' }), 'ReportError', { kind: 'range' });
  throwsNamed(() => e.report({ time_zone: 'Nowhere/Land' }), 'ReportError', { option: 'time_zone' });
  throwsNamed(() => e.report({ model: 'magic' }), 'ReportError', { option: 'model' });
  throwsNamed(() => e.report(7), 'TypeError');
  assert.equal(e.report().input.records.outbound, 1);
});

test('snapshot and restore: same answers, and ingestion goes on', () => {
  const e = new Engine({ time_zone: 'Europe/Berlin' });
  e.ingest(inbound('wamid.in1', '4915112345678', T0, 'Hi'));
  e.ingest(outbound('wamid.o1', '4915112345678', T0 + 60));
  const bytes = e.snapshot();
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), 'CVLNS');
  const r = Engine.restore(bytes);
  assert.deepEqual(r.report(), e.report());
  assert.deepEqual(r.report({ last: '7d' }), e.report({ last: '7d' }));
  assert.equal(r.config().time_zone, 'Europe/Berlin');
  const next = outbound('wamid.o2', '4915112345678', T0 + 120);
  assert.equal(r.ingest(next).ingested, 1);
  assert.equal(e.ingest(next).ingested, 1);
  assert.deepEqual(r.report(), e.report());
  // A Node Buffer works as well.
  assert.deepEqual(Engine.restore(Buffer.from(bytes)).config(), e.config());
});

test('restore: bad bytes throw SnapshotError, never trap', () => {
  const bytes = new Engine().snapshot();
  throwsNamed(() => Engine.restore(new Uint8Array([1, 2, 3])), 'SnapshotError', { kind: 'bad_magic' });
  throwsNamed(() => Engine.restore(bytes.subarray(0, bytes.length - 1)), 'SnapshotError', { kind: 'corrupt' });
  const flipped = bytes.slice();
  flipped[flipped.length - 1] ^= 0xff;
  throwsNamed(() => Engine.restore(flipped), 'SnapshotError', { kind: 'corrupt' });
  const newer = bytes.slice();
  newer[6] = 99; // schema version, little-endian u32 after the 6-byte magic
  throwsNamed(() => Engine.restore(newer), 'SnapshotError', { kind: 'newer_version' }, /99/);
  throwsNamed(() => Engine.restore('CVLNS'), 'TypeError');
  throwsNamed(() => Engine.restore(), 'TypeError');
  assert.equal(Engine.restore(bytes).report().input.lines, 0);
});

test('merge: engines fed disjoint users merge into the engine fed all of them', () => {
  const users = ['4915112345678', '447700900123', '5511987654321', '34600111222'];
  const whole = new Engine({ time_zone: 'Europe/Madrid' });
  const parts = [new Engine({ time_zone: 'Europe/Madrid' }), new Engine({ time_zone: 'Europe/Madrid' })];
  users.forEach((u, i) => {
    const docs = [inbound(`wamid.in${i}`, u, T0 + i * 3600, 'hello'),
      outbound(`wamid.o${i}`, u, T0 + i * 3600 + 60, { kind: 'template', template: 'welcome', category: 'marketing' })];
    for (const d of docs) {
      whole.ingest(d);
      parts[i % 2].ingest(d);
    }
  });
  parts[0].merge(parts[1]);
  assert.deepEqual(state(parts[0]), state(whole));
  // The merged-in engine is unchanged and still usable.
  assert.deepEqual(state(parts[1]).input.messages, { text: 2 });
  throwsNamed(() => parts[0].merge(new Engine({ time_zone: 'UTC' })), 'ConfigError', { key: 'config' });
  assert.throws(() => parts[0].merge({}), Error);
  // Into itself: a clear error, not wasm-bindgen's aliasing one (issue 19.9); the engine
  // stays usable.
  throwsNamed(() => parts[0].merge(parts[0]), 'TypeError', {}, /cannot be merged into itself/);
  assert.deepEqual(state(parts[0]), state(whole));
});

test('expire: seals old days, drops history, keeps every answer, refuses what it cannot answer', () => {
  const [u1, u2] = ['4915112345678', '447700900123'];
  const e = new Engine();
  for (const [id, u, day] of [['a', u1, 0], ['b', u1, 60], ['c', u2, 1], ['d', u2, 59]]) {
    e.ingest(inbound(`wamid.${id}`, u, T0 + day * DAY, 'hi'));
  }
  assert.equal(e.expired(), null);
  const range = { from: '2025-07-01', to: '2025-09-05' };
  const before = e.report(range);
  // Latest event 2025-08-30T20:00Z, minus lateness 7 d, lookback 7 d and 4 quiet days.
  const none = { sealed_until: '2025-08-12', users: 0, messages: 0, external_events: 0, closes: 0 };
  const first = { ...none, users: 2, messages: 2 };
  assert.deepEqual(e.expire(), first);
  assert.deepEqual(e.expired(), first);
  assert.deepEqual(e.expire(), none);
  assert.deepEqual(e.report(range), before);
  // Late input is ignored and counted; the rest of the report does not move.
  assert.deepEqual(e.ingest(inbound('wamid.late', u1, T0 + 2 * DAY, 'late')),
    { ingested: 0, duplicates: 0, ignored: ['late'] });
  const after = e.report(range);
  assert.deepEqual(after.input.ignored_reasons, { late: 1 });
  assert.deepEqual({ ...after, input: before.input }, before);
  // Sealed days answer only in their own form; later ranges answer everything.
  for (const opt of [{ phone: 'PN1' }, { time_zone: 'Asia/Tokyo' }, { model: 'linear' }, { compare_models: true }]) {
    throwsNamed(() => e.report({ ...range, ...opt }), 'ReportError', { kind: 'expired', option: '' }, /2025-08-12/);
    assert.equal(e.report({ from: '2025-08-13', to: '2025-09-05', ...opt }).engagement.new_users, 0);
  }
  // The state travels in snapshots; expired engines do not merge.
  const r = Engine.restore(e.snapshot());
  assert.deepEqual(r.expired(), first);
  assert.deepEqual(r.report(range), e.report(range));
  throwsNamed(() => r.merge(new Engine()), 'ConfigError', { key: 'config' }, /expired/);
  throwsNamed(() => new Engine().merge(r), 'ConfigError', { key: 'config' }, /expired/);
  // Data-driven models cannot be sealed by day.
  const markov = new Engine({ attribution: { model: 'markov' } });
  markov.ingest(inbound('wamid.m', u1, T0, 'hi'));
  throwsNamed(() => markov.expire(), 'ReportError', { kind: 'unsupported' }, /rule-based/);
  assert.equal(new Engine().expire().sealed_until, null);
});

test('free() releases an engine; using it afterwards throws instead of trapping', () => {
  const e = new Engine();
  e.free();
  assert.throws(() => e.report(), Error);
  const other = new Engine();
  assert.equal(other.report().input.lines, 0);
});

test('no input traps the module: invalid fixtures and garbage give errors, the module keeps working', () => {
  const e = new Engine();
  const invalid = filesIn(path.join(sharedData, 'webhooks-invalid'));
  // filesIn gives [] for a missing folder: without this the loop below would pass vacuously.
  assert.equal(invalid.length, 17, 'testdata/shared/webhooks-invalid has 17 payloads');
  for (const f of invalid) {
    const bytes = fs.readFileSync(f);
    throwsNamed(() => e.ingest(bytes), 'ParseError');
    assert.equal(e.ingestJsonl(bytes).errors.length >= 1, true, f);
  }
  // Pseudo-random bytes and JSON fragments (a fixed LCG, so the test is reproducible).
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pieces = ['{', '}', '[', ']', '"type"', ':', ',', '"outbound"', '"id"', '1e400', '-1', 'null',
    '"entry"', '"statuses"', '"timestamp"', '"\\ud800"', 'true', '"messages"', '\n'];
  for (let i = 0; i < 300; i++) {
    let doc = '';
    const n = 1 + Math.floor(rnd() * 30);
    for (let j = 0; j < n; j++) doc += pieces[Math.floor(rnd() * pieces.length)];
    try {
      e.ingest(doc);
    } catch (err) {
      assert.ok(err instanceof Error && err.name === 'ParseError', String(err));
    }
    e.ingestJsonl(doc);
    const bytes = new Uint8Array(1 + Math.floor(rnd() * 64)).map(() => Math.floor(rnd() * 256));
    e.ingestJsonl(bytes);
  }
  const r = e.report();
  assert.ok(r.input.errors > 300);
  // Still fully functional.
  const ok = new Engine();
  assert.equal(ok.ingest(outbound('wamid.ok', '4915112345678', T0)).ingested, 1);
  assert.ok(Engine.restore(e.snapshot()).report().input.errors > 300);
});

test('every public payload in the shared fixtures ingests', () => {
  const e = new Engine();
  let n = 0;
  for (const dir of ['meta-docs', 'pywa', 'whatsapp-api-js']) {
    for (const f of filesIn(path.join(sharedData, 'webhooks', dir))) {
      e.ingest(fs.readFileSync(f, 'utf8'));
      n++;
    }
  }
  assert.equal(n, 129);
  assert.equal(e.report().input.errors, 0);
});

test('report: every section of the Report type, in the order `report --json` prints them', () => {
  const e = new Engine({ quota: 100 });
  e.ingest(inbound('wamid.in1', '4915112345678', T0, 'Hi'));
  e.ingest(outbound('wamid.o1', '4915112345678', T0 + 60, { kind: 'template', template: 'welcome', category: 'marketing' }));
  const r = e.report();
  assert.deepEqual(Object.keys(r),
    ['range', 'overall', 'input', 'billing', 'usage', 'sources', 'events', 'attribution', 'engagement', 'templates',
      'campaigns', 'warnings']);
  // The template was never delivered: nothing charged, nothing left out.
  assert.deepEqual(r.warnings, []);
  assert.equal(r.usage.quota, 100);
  assert.equal(r.engagement.active_users, 1);
  assert.equal(r.engagement.heatmap.length, 7);
  assert.deepEqual(r.templates.map((t) => [t.name, t.category, t.sent]), [['welcome', 'marketing', 1]]);
  assert.deepEqual(r.sources.map((s) => [s.key, s.conversations]), [['direct', 1]]);
  // Plain objects and arrays all the way down: no Map, no class instances.
  const plain = (v) => v === null || ['number', 'string', 'boolean'].includes(typeof v)
    || (Array.isArray(v) && v.every(plain))
    || (Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(plain));
  assert.ok(plain(r));
  // compare adds the previous period; compare_models adds every model's credit.
  const c = e.report({ compare: true, compare_models: true });
  assert.deepEqual(Object.keys(c.compare).sort(), ['figures', 'previous_range']);
  assert.deepEqual(c.compare.previous_range, { from: '2025-06-30', to: '2025-07-01', days: 1, time_zone: 'UTC', phone: null });
  // One user active today, none the day before: +1, no percentage from zero.
  assert.deepEqual(c.compare.figures.find((f) => f.section === 'engagement' && f.figure === 'active_users'),
    { section: 'engagement', row: null, figure: 'active_users', previous: 0, current: 1, change: 1, change_pct: null });
  assert.ok(Array.isArray(c.attribution.comparison));
});

// The numbers of issue #20, the same as from Rust and Python (bindings-python/tests/
// test_numbers.py): a user writes "Hi!" from ad 120 on 2025-07-02, is answered, and buys
// for 49.90 EUR the same day.
const USER = '4915112345678';
const SAMPLE = [
  {
    object: 'whatsapp_business_account',
    entry: [{ changes: [{ field: 'messages', value: {
      metadata: { phone_number_id: '1001' },
      contacts: [{ wa_id: USER, profile: { name: 'Ana' } }],
      messages: [{ from: USER, id: 'wamid.in1', timestamp: '1751450000', type: 'text', text: { body: 'Hi!' },
        referral: { source_type: 'ad', source_id: '120', headline: 'Summer sale' } }],
    } }] }],
  },
  { type: 'outbound', id: 'wamid.out1', phone_number_id: '1001', to: USER, timestamp: 1751450060, kind: 'free_form', author: 'agent' },
  {
    object: 'whatsapp_business_account',
    entry: [{ changes: [{ field: 'messages', value: {
      metadata: { phone_number_id: '1001' },
      statuses: [{ id: 'wamid.out1', status: 'delivered', timestamp: '1751450065', recipient_id: USER }],
    } }] }],
  },
  { type: 'external_event', id: 'order-1', contact: USER, name: 'purchase', value: 49.9, currency: 'EUR', timestamp: 1751460000 },
];
const NUMBERS_CONFIG = { currency: 'EUR', events: [{ name: 'hi', kind: 'text_reply', pattern: 'hi!' }] };

test('report: the conversion event per report, overall and events (parity with Python)', () => {
  const e = new Engine(NUMBERS_CONFIG);
  for (const d of SAMPLE) e.ingest(d);
  // Default: the external purchase, a lead worth 49.90 from ad 120.
  const r = e.report();
  assert.deepEqual([r.sources[0].key, r.sources[0].leads, r.sources[0].revenue], ['meta_ad:120', 1, 49.9]);
  assert.deepEqual(r.overall, { conversations: 1, leads: 1, conversion_rate: 1, conversions: 1, invested: 0,
    conversion_cost: 0, revenue: 49.9, roas: null });
  // The text reply chosen for this report: a lead, one occurrence, no value.
  for (const opts of [{ conversionEvent: 'hi' }, { conversion_event: 'hi' }]) {
    const m = e.report(opts);
    assert.deepEqual([m.sources[0].leads, m.sources[0].conversions, m.sources[0].revenue, m.sources[0].roas], [1, 1, null, null]);
    assert.equal(m.overall.revenue, null);
    assert.deepEqual(m.attribution.conversion_event, { name: 'hi', kind: 'text_reply' });
  }
  throwsNamed(() => e.report({ conversionEvent: 'hello' }), 'ReportError', { kind: 'option', option: 'conversion_event' },
    /known events: hi, purchase/);
  assert.deepEqual(r.events, [
    { name: 'hi', kind: 'text_reply', occurrences: 1, users: 1, conversations: 1, value: null, by_source: { 'meta_ad:120': 1 } },
    { name: 'purchase', kind: 'external', occurrences: 1, users: 1, conversations: 1, value: 49.9, by_source: { 'meta_ad:120': 1 } },
  ]);
  // Compare: the day before had nothing.
  const c = e.report({ compare: true });
  assert.deepEqual(c.compare.figures[0],
    { section: 'overall', row: null, figure: 'conversations', previous: 0, current: 1, change: 1, change_pct: null });
  // New shapes: sent vs delivered, new vs returning, the paid heatmap.
  assert.deepEqual(r.engagement.daily_volume, [{ date: '2025-07-02', sent: 1, delivered: 1, received: 1 }]);
  assert.deepEqual(r.engagement.daily_active, [{ date: '2025-07-02', users: 1, new: 1, returning: 0 }]);
  assert.equal(r.billing.heatmap.length, 7);
  throwsNamed(() => e.report({ phone: '9999' }), 'ReportError', { kind: 'option', option: 'phone' }, /known numbers: 1001$/);
});

test('report: money in another currency is never silently zero (parity with Python)', () => {
  const e = new Engine({});
  for (const d of SAMPLE) e.ingest(d);
  e.ingest({ type: 'external_event', id: 'order-2', contact: USER, name: 'purchase', value: 12, currency: 'GBP', timestamp: 1751460100 });
  const r = e.report();
  assert.equal(r.attribution.currency, 'EUR');
  assert.equal(r.sources[0].revenue, 49.9);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0], /^no currency configured: the report is in EUR/);
  assert.match(r.warnings[1], /^12\.00 GBP of external event values left out/);
});

test('exportContacts: users of a source or an event as CSV; errors name the option', () => {
  const e = new Engine({ sources: [{ key: 'qr:shop', name: 'Shop QR', match: 'contains', pattern: 'SHOP' }] });
  e.ingest(inbound('wamid.in1', '4915112345678', T0, 'Hi from SHOP-1'));
  e.ingest(inbound('wamid.in2', '447700900123', T0 + 600, 'Hello'));
  e.ingest({ type: 'external_event', id: 'ev1', contact: '447700900123', name: 'purchase', value: 12.5,
    currency: 'USD', timestamp: T0 + 900 });
  const header = 'wa_id,name,country,first_seen,source,converted,value';
  const shop = e.exportContacts({ source: 'qr:shop' });
  const rows = shop.split('\r\n');
  assert.equal(rows[0], header);
  assert.equal(rows.length, 3); // header, one user, and the empty string after the last CRLF
  assert.match(rows[1], /^4915112345678,User 4915112345678,DE,2025-07-01T20:00:00\+00:00,qr:shop,/);
  assert.equal(rows[2], '');
  // One name: an event when some event has that name, else a source key.
  assert.equal(e.exportContacts('qr:shop'), shop);
  const buyers = e.exportContacts('purchase').split('\r\n');
  assert.equal(buyers.length, 3);
  assert.match(buyers[1], /^447700900123,User 447700900123,GB,.*,true,12\.50$/);
  assert.deepEqual(e.exportContacts({ event: 'purchase' }).split('\r\n'), buyers);
  // A range without the users: only the header.
  assert.equal(e.exportContacts({ source: 'qr:shop' }, { from: '2025-08-01', to: '2025-08-02' }), `${header}\r\n`);
  throwsNamed(() => e.exportContacts({ sauce: 'x' }), 'ReportError', { kind: 'option' }, /sauce/);
  throwsNamed(() => e.exportContacts({ source: 7 }), 'ReportError', { option: 'filter.source' });
  throwsNamed(() => e.exportContacts('qr:shop', { last: 'never' }), 'ReportError', { option: 'last' });
  throwsNamed(() => e.exportContacts(42), 'TypeError');
});

test('freeFormWindow: the service window opens with each user message for 24 h', () => {
  const e = new Engine();
  e.ingest(inbound('wamid.in1', '4915112345678', T0, 'Hi'));
  const w = e.freeFormWindow('4915112345678', 'PN1', T0 + 3600);
  // July 2025: service messages are free, so the open window is a free one.
  assert.deepEqual(w, {
    open: true, free: true, charged: false, until: T0 + DAY, last_inbound: T0, free_entry_until: null, free_entry_reply_by: null,
  });
  // Exactly 24 h later it is closed; any number when none is given.
  assert.equal(e.freeFormWindow('4915112345678', null, T0 + DAY).open, false);
  assert.equal(e.freeFormWindow('4915112345678', undefined, T0 + DAY - 1).open, true);
  // Before the message: never wrote yet.
  assert.deepEqual(e.freeFormWindow('4915112345678', 'PN1', T0 - 1).until, null);
  // Default instant: now, long after 2025.
  assert.equal(e.freeFormWindow('4915112345678').open, false);
  // Unknown user or number: null.
  assert.equal(e.freeFormWindow('1555000', 'PN1', T0), null);
  assert.equal(e.freeFormWindow('4915112345678', 'PN9', T0), null);
  throwsNamed(() => e.freeFormWindow('4915112345678', 'PN1', Number.NaN), 'RangeError');
  throwsNamed(() => e.freeFormWindow('4915112345678', 'PN1', 1e300), 'RangeError');
  assert.throws(() => e.freeFormWindow(12), Error);
});

test('freeFormWindow: from 2026-10-01 an open window is a charged one, not a free one', () => {
  const T26 = 1793696400; // 2026-11-03T09:00:00Z
  const e = new Engine();
  e.ingest(inbound('wamid.in1', '4915112345678', T26, 'Hi'));
  const w = e.freeFormWindow('4915112345678', 'PN1', T26 + 3600);
  assert.equal(w.open, true);
  assert.equal(w.charged, true);
  assert.equal(w.free, false);
  const off = new Engine({ pricing_timeline: [{ name: 'service_charged_2026_10', enabled: false }] });
  off.ingest(inbound('wamid.in1', '4915112345678', T26, 'Hi'));
  const o = off.freeFormWindow('4915112345678', 'PN1', T26 + 3600);
  assert.deepEqual([o.open, o.free, o.charged], [true, true, false]);
});
