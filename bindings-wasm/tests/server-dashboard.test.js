'use strict';
// The dashboard served by convolens-server (its server mode): starts the server binary
// (target/debug, which test.sh builds) on a fresh data directory with the example
// configuration, posts the example data to POST /records, opens the page in Debian's
// headless Chromium and checks that it renders the server's /report — no WebAssembly is
// loaded, no file drop is offered — follows the range buttons and compare (asking for the
// previous period too), and downloads a source's contacts from GET /contacts, which must
// equal `report --contacts` (target/release/report, which test.sh builds). Screenshot in
// tests/out/dashboard-server.png. Any console error, page error, failed request or request
// that leaves the server fails the test.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { root, exampleData, exampleConfig } = require('./helpers');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SERVER = path.join(root, 'target', 'debug', 'convolens-server');
const REPORT = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'release', 'report');
const outDir = path.join(__dirname, 'out');

function startServer(t) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'cvl-dashboard-'));
  const server = spawn(SERVER, ['--config', exampleConfig, '--data-dir', data, '--listen', '127.0.0.1:0'], {
    env: { ...process.env, CONVOLENS_APP_SECRET: 'app', CONVOLENS_VERIFY_TOKEN: 'verify', CONVOLENS_RECORDS_TOKEN: 'records' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.after(() => {
    server.kill('SIGTERM');
    fs.rmSync(data, { recursive: true, force: true });
  });
  return new Promise((resolve, reject) => {
    let log = '';
    server.stderr.on('data', (d) => {
      log += d;
      // The whole line: stderr may arrive in pieces ("http://127" first).
      const m = /listening on (http:\/\/[0-9.]+:[0-9]+)\r?\n/.exec(log);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`convolens-server exited (${code}): ${log}`)));
  });
}

test('the dashboard served by convolens-server renders its /report', { timeout: 180_000 }, async (t) => {
  const { chromium } = require('playwright-core');
  assert.ok(fs.existsSync(SERVER), `no ${SERVER} (test.sh builds it: cargo build -p convolens-server)`);
  assert.ok(fs.existsSync(REPORT), `no ${REPORT} (test.sh builds it)`);
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (test.sh installs Debian's chromium)`);
  const origin = await startServer(t);

  const posted = await fetch(`${origin}/records`, {
    method: 'POST', headers: { authorization: 'Bearer records' }, body: fs.readFileSync(exampleData),
  });
  assert.equal(posted.status, 200);
  const outcome = await posted.json();
  assert.deepEqual(outcome.errors, []);
  const lines = fs.readFileSync(exampleData, 'utf8').split('\n').filter(Boolean).length;
  assert.equal(outcome.lines, lines);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const problems = [];
  const requested = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => {
    requested.push(r.url());
    if (!r.url().startsWith(`${origin}/`) && !r.url().startsWith('data:')) problems.push(`left the site: ${r.url()}`);
  });

  await page.goto(`${origin}/`);
  await page.waitForSelector('body[data-state]', { timeout: 120_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#status'));
  assert.equal(await page.getAttribute('body', 'data-mode'), 'server');
  assert.match(await page.textContent('#status'), new RegExp(`^Live from the server: ${lines.toLocaleString('en-US')} lines received\\.$`));
  assert.equal(await page.isVisible('#drop'), false, 'no file drop in server mode');

  // The page shows the server's report for the default range (30D), every view.
  const report = await (await fetch(`${origin}/report?last=30d`)).json();
  const names = await page.locator('[data-table="sources"] tbody tr th b').allTextContents();
  assert.deepEqual(names, report.sources.map((s) => s.name));
  assert.match(names.join('|'), /Summer sale broadcast/);
  // Contacts CSV of a source: the server's GET /contacts, which is the `report --contacts`
  // program's output for the same data and range.
  assert.equal(await page.locator('[data-table="sources"] button.contacts').count(), report.sources.length);
  const key = report.sources[0].key;
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('[data-table="sources"] tbody tr:first-child button.contacts')]);
  const contacts = fs.readFileSync(await dl.path(), 'utf8');
  assert.ok(requested.includes(`${origin}/contacts?source=${encodeURIComponent(key)}&last=30d`), requested.join('\n'));
  assert.equal(contacts, execFileSync(REPORT, ['--config', exampleConfig, '--last', '30d', '--contacts', key, exampleData], { encoding: 'utf8' }));
  assert.ok(contacts.split('\n').length > 2, 'the first source has contacts');
  assert.equal(await page.textContent('.ranges button.active'), '30D');
  assert.match(await page.textContent('#range-label'), /30 days · Europe\/Madrid/);
  fs.mkdirSync(outDir, { recursive: true });
  await page.screenshot({ path: path.join(outDir, 'dashboard-server.png'), fullPage: true });
  await page.click('[role="tab"][data-view="engagement"]');
  assert.equal(await page.locator('[data-table="dau-data"] tbody tr').count(), report.engagement.daily_active.length);
  assert.equal(await page.locator('#volume svg path[stroke]').count(), 3, 'sent, delivered and received lines');
  await page.click('[role="tab"][data-view="templates"]');
  assert.equal(await page.locator('[data-table="templates"] tbody tr').count(), report.templates.length);
  await page.click('[role="tab"][data-view="billing"]');
  assert.match(await page.textContent('[data-kpi="billing.cost.total"] .kpi-value'), /^€/);

  // 7D, an event and compare: the page asks the server again, with the options.
  await page.click('.ranges button[data-last="7d"]');
  await page.waitForFunction(() => document.querySelector('.ranges button.active')?.textContent === '7D');
  await page.waitForFunction(() => / 7 days /.test(document.querySelector('#range-label').textContent));
  assert.ok(requested.some((u) => u === `${origin}/report?last=7d`), requested.join('\n'));
  await page.selectOption('#event', 'interested');
  await page.check('#compare');
  await page.waitForFunction(() => /compared with/.test(document.querySelector('#range-label').textContent));
  assert.ok(requested.some((u) => u === `${origin}/report?last=7d&event=interested&compare=1`), requested.join('\n'));
  // ... and for the previous period (the rows of countries, authors, usage compare with it).
  const cmp = await (await fetch(`${origin}/report?last=7d&event=interested&compare=1`)).json();
  const prev = cmp.compare.previous_range;
  assert.ok(requested.some((u) => u === `${origin}/report?from=${prev.from}&to=${prev.to}&event=interested`), requested.join('\n'));
  await page.click('[role="tab"][data-view="sources"]');
  assert.ok(await page.locator('[data-kpi="overall.conversations"] .delta').count() === 1, 'a delta on the KPI');

  // The number: the server's report does not list the numbers, so it is typed.
  assert.match(await page.getAttribute('#phone', 'title'), /does not list its numbers/);
  await page.fill('#phone', '106540352242999');
  await page.press('#phone', 'Enter');
  await page.waitForFunction(() => / · number 106540352242999/.test(document.querySelector('#range-label').textContent));
  assert.ok(requested.some((u) => u.startsWith(`${origin}/report?last=7d&phone=106540352242999`)), requested.join('\n'));

  // Server mode never loads the WebAssembly package.
  assert.deepEqual(requested.filter((u) => /bindings-wasm|\.wasm/.test(u)), []);
  assert.deepEqual(problems, []);
});
