'use strict';
// The dashboard (examples/web/) in a real browser: Debian's headless Chromium driven by
// playwright-core. Serves the repository on localhost, loads the page (which ingests the
// bundled example data), checks every section, clicks range buttons and checks the
// sources table follows, feeds a dropped JSONL file through the file input, and saves a
// screenshot to tests/out/dashboard.png. Any console error, page error or request that
// leaves the local server fails the test.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { root, exampleData, outbound, inbound } = require('./helpers');
const { start } = require(path.join(root, 'examples', 'web', 'serve.js'));

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const outDir = path.join(__dirname, 'out');

test('the dashboard renders the example data and follows the range buttons', { timeout: 180_000 }, async (t) => {
  const { chromium } = require('playwright-core');
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (test.sh installs Debian's chromium)`);
  const server = await start(0);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  t.after(async () => {
    await browser.close();
    server.close();
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith('data:')) problems.push(`left the site: ${r.url()}`);
  });

  await page.goto(`${origin}/examples/web/`);
  await page.waitForSelector('body[data-state]', { timeout: 120_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#status'));
  const lines = fs.readFileSync(exampleData, 'utf8').split('\n').filter(Boolean).length;
  assert.match(await page.textContent('#status'), new RegExp(`^Read ${lines.toLocaleString('en-US')} lines`));

  // Every section rendered from the report.
  const sourcesText = () => page.textContent('#sec-sources tbody');
  assert.ok(await page.locator('#sec-sources tbody tr').count() >= 3, 'source rows');
  assert.match(await sourcesText(), /Summer sale broadcast/);
  assert.ok(await page.locator('#sec-dau svg rect').count() >= 28, 'one DAU bar per day');
  assert.equal(await page.locator('#sec-volume svg path[stroke]').count(), 2, 'sent and received lines');
  // The example data (2025) has no Meta Business Agent messages: no bar for them.
  assert.deepEqual((await page.locator('#sec-cost .bar-label').allTextContents()).sort(),
    ['Authentication', 'Marketing', 'Service', 'Utility']);
  assert.match(await page.textContent('#sec-cost .total'), /^Total €/);
  // July 2025: service messages are free (Meta charges them from 2026-10-01).
  assert.match(await page.textContent('#sec-cost .total'), /service messages free/);
  assert.ok(await page.locator('#sec-templates tbody tr').count() >= 2, 'template rows');
  assert.equal(await page.textContent('.ranges button.active'), '30D');
  assert.match(await page.textContent('#range-label'), /30 days · Europe\/Madrid/);
  fs.mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, 'dashboard.png'), fullPage: true });

  // 7D: a shorter range, another table.
  const before = await sourcesText();
  await page.click('.ranges button[data-last="7d"]');
  await page.waitForFunction(() => document.querySelector('.ranges button.active')?.textContent === '7D');
  assert.match(await page.textContent('#range-label'), /7 days/);
  assert.notEqual(await sourcesText(), before, 'the sources table changes with the range');
  assert.equal(await page.locator('#sec-dau svg rect').count(), 7);
  await page.screenshot({ path: path.join(outDir, 'dashboard-7d.png'), fullPage: true });
  // 12M: every day of the data again (more than 30D).
  await page.click('.ranges button[data-last="12m"]');
  assert.match(await page.textContent('#range-label'), /36[56] days/);
  assert.ok(await page.locator('#sec-dau svg rect').count() > 300);

  // A dropped JSONL file (through the file input): the report is of that file only.
  const T0 = 1751400000;
  const dropped = [inbound('wamid.x1', '4915112345678', T0, 'Hi'), outbound('wamid.x2', '4915112345678', T0 + 60,
    { kind: 'template', template: 'drop_test', category: 'utility' }), '{"type":"outbound"}'];
  await page.setInputFiles('#files', {
    name: 'dropped.jsonl', mimeType: 'application/x-ndjson',
    buffer: Buffer.from(dropped.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')),
  });
  await page.waitForFunction(() => document.querySelector('#dataset').textContent === 'dropped.jsonl');
  await page.waitForFunction(() => /drop_test/.test(document.querySelector('#sec-templates tbody')?.textContent ?? ''));
  assert.match(await page.textContent('#status'), /Read 3 lines .* 1 could not be read; first: dropped\.jsonl line 3, field id: /);
  assert.deepEqual(await page.locator('#sec-sources tbody tr td:first-child b').allTextContents(), ['Direct']);

  // A real drop event on the drop zone, with a file in its DataTransfer.
  const text = JSON.stringify(outbound('wamid.y1', '447700900123', T0, { kind: 'template', template: 'dragged', category: 'marketing' }));
  const dataTransfer = await page.evaluateHandle((t) => {
    const dt = new DataTransfer();
    dt.items.add(new File([t], 'dragged.jsonl', { type: 'application/x-ndjson' }));
    return dt;
  }, text);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  await page.waitForFunction(() => /dragged/.test(document.querySelector('#sec-templates tbody')?.textContent ?? ''));
  assert.equal(await page.textContent('#dataset'), 'dragged.jsonl');
  assert.match(await page.textContent('#status'), /^Read 1 line \(/);

  assert.deepEqual(problems, []);
});
