'use strict';
// Tables: the report's lists and keyed maps (the core's rule, as `report --csv` writes
// them) and the row-level tables, as arrays of objects.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { root, pkgDir, exampleData, exampleConfig, readFileBeside } = require('./helpers');
const { Engine, ReportError } = require(pkgDir);

const USER = '4915112345678';
const status = (id, ts) => ({
  object: 'whatsapp_business_account',
  entry: [{ changes: [{ field: 'messages', value: {
    metadata: { phone_number_id: '1001' },
    statuses: [{ id, status: 'delivered', timestamp: String(ts), recipient_id: USER }] } }] }],
});

test('tables(): the same tables as report --csv, keyed maps with named columns', () => {
  const engine = new Engine(fs.readFileSync(exampleConfig, 'utf8'), readFileBeside(exampleConfig));
  engine.ingestJsonl(fs.readFileSync(exampleData));
  const tables = engine.tables();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convolens-csv-'));
  try {
    execFileSync('cargo', ['run', '--release', '-q', '--bin', 'report', '--',
      '--config', exampleConfig, '--csv', dir, exampleData],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const files = fs.readdirSync(dir).map((f) => f.replace(/\.csv$/, '')).sort();
    assert.deepEqual(tables.map((t) => t.name).sort(), files);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const byDay = tables.find((t) => t.path === 'billing.cost.by_day');
  assert.deepEqual(byDay.columns, ['date', 'cost']);
  const report = engine.report();
  // One row per day of the range; the costs add up to the total.
  assert.equal(byDay.rows.length, report.range.days);
  const sum = byDay.rows.reduce((a, r) => a + r.cost, 0);
  assert.ok(Math.abs(sum - report.billing.cost.total) < 0.01, `${sum}`);
});

test('rows(): every business message with its reason and price', () => {
  const engine = new Engine({ rate_card: [{ market: 'germany', category: 'marketing',
    price: 0.1365, currency: 'EUR', effective_from: '2025-07-01' }] });
  engine.ingest({ type: 'outbound', id: 'w1', phone_number_id: '1001', to: USER,
    timestamp: 1751450000, template: 'promo', category: 'marketing' });
  engine.ingest(status('w1', 1751450005));
  const charges = engine.rows('charges');
  assert.equal(charges.name, 'charges');
  assert.equal(charges.rows.length, 1);
  // A marketing template delivered 2025-07-02 (per-message pricing): Germany's rate.
  const w1 = charges.rows[0];
  assert.deepEqual(
    [w1.message_id, w1.billing_day, w1.category, w1.charged, w1.cost, w1.currency],
    ['w1', '2025-07-02', 'marketing', true, 0.1365, 'EUR']);
  assert.equal(w1.sent_at, '2025-07-02T09:53:20+00:00');
  assert.equal(engine.rows('contacts').rows[0].wa_id, USER);
  assert.throws(() => engine.rows('invoices'), (e) => e instanceof ReportError
    && e.option === 'table' && /charges, conversations, contacts/.test(e.message));
});
