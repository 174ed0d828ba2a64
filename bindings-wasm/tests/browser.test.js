'use strict';
// The dashboard (examples/web/) in a real browser: Debian's headless Chromium driven by
// playwright-core, the repository served on localhost. Every view and every control is
// used, and their numbers are checked against the `report --json` program's output for the
// same options, computed here at test time (target/release/report, which test.sh builds):
//   - the four views (sources, engagement, templates, billing): one row of each equals the
//     program's; tables sort and download as CSV (with the formula guard), contacts CSV is
//     the program's `--contacts` output, hover/focus text is `report --explain`'s;
//   - the controls: 7D/14D/6M/12M, a custom range, number, time zone, event, model, compare;
//   - the ingest worker: chunked reading with line, column and field of a bad line (the
//     package's own numbers), a drop event, cancel keeps the data, a reload restores it from
//     IndexedDB, "clear data" empties it and the empty state says what to do;
//   - 390 px wide: no view is wider than the window; the tabs answer the arrow keys.
// Any console error, page error, failed request or request that leaves the local server
// fails the test. Screenshots in tests/out/.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { root, pkgDir, exampleData, exampleConfig, outbound, inbound } = require('./helpers');
const { start } = require(path.join(root, 'examples', 'web', 'serve.js'));
const definitions = require(path.join(root, 'examples', 'web', 'tools', 'definitions.js'));

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const REPORT = path.join(process.env.CARGO_TARGET_DIR || path.join(root, 'target'), 'release', 'report');
const outDir = path.join(__dirname, 'out');
const nf = new Intl.NumberFormat('en-US');

/** The report program on the example data with `args` (its --json output, parsed). */
function report(args) {
  return JSON.parse(execFileSync(REPORT, ['--json', '--config', exampleConfig, ...args, exampleData], { encoding: 'utf8', maxBuffer: 1 << 28 }));
}

/** The `data-value`s of a table's row `i` (0-based), by column label. */
async function row(page, table, i) {
  return page.evaluate(([t, n]) => {
    const tr = document.querySelectorAll(`[data-table="${t}"] tbody tr`)[n];
    return Object.fromEntries([...tr.querySelectorAll('[data-col]')].map((c) => [c.dataset.col, c.dataset.value]));
  }, [table, i]);
}

const str = (v) => (v === null ? '' : String(v));

/** Each row of a table as the page shows it under period compare: its key (the first
 * column's value), whether it is marked new, and the change shown in column `col`. */
async function rowChanges(page, table, col) {
  return page.$$eval(`[data-table="${table}"] tbody tr`, (rows, c) => rows.map((tr) => ({
    key: tr.querySelector('[data-col]').dataset.value,
    new: tr.hasAttribute('data-new'),
    change: tr.querySelector(`[data-col="${c}"] .delta`)?.dataset.change ?? null,
  })), col);
}

/** What rowChanges must give for a map {key: count} of this period and the previous one:
 * the difference for a key in both, "new" (and no change) for a key only in this one. */
function expectedChanges(current, previous) {
  return Object.entries(current).map(([key, n]) => (Object.hasOwn(previous, key)
    ? { key, new: false, change: String(n - previous[key]) } : { key, new: true, change: null }));
}

async function view(page, name) {
  await page.click(`[role="tab"][data-view="${name}"]`);
  await page.waitForSelector(`#panel[data-view="${name}"]`);
}

/** Click `selector` (or run `act`) and wait for the page to render a new report. */
async function rerender(page, act) {
  const n = Number(await page.getAttribute('body', 'data-rendered'));
  await act();
  await page.waitForFunction((k) => Number(document.body.dataset.rendered) > k, n);
}

async function downloaded(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  return fs.readFileSync(await dl.path(), 'utf8');
}

function setup(t) {
  const { chromium } = require('playwright-core');
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (test.sh installs Debian's chromium)`);
  assert.ok(fs.existsSync(REPORT), `no ${REPORT} (test.sh builds it)`);
  return (async () => {
    const server = await start(0);
    const origin = `http://127.0.0.1:${server.address().port}`;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
    t.after(async () => {
      await browser.close();
      server.close();
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, acceptDownloads: true });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      const u = r.url();
      if (!u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:')) problems.push(`left the site: ${u}`);
    });
    return { origin, page, problems };
  })();
}

async function ready(page, url) {
  await page.goto(url);
  await page.waitForSelector('body[data-state]', { timeout: 120_000 });
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.textContent('#status'));
}

test('every view shows the report program\'s numbers; tables sort and download; definitions are the docs\'', { timeout: 180_000 }, async (t) => {
  const { origin, page, problems } = await setup(t);
  const r30 = report(['--last', '30d']);
  const lines = fs.readFileSync(exampleData, 'utf8').split('\n').filter(Boolean).length;
  // 1 MB chunks: the 4.6 MB example goes through the worker in five pieces.
  await ready(page, `${origin}/examples/web/?chunk=1000000`);
  assert.match(await page.textContent('#status'), new RegExp(`^Read ${nf.format(lines)} lines`));
  fs.mkdirSync(outDir, { recursive: true });

  // Sources (360dialog): overall, the first source row, funnels, events.
  assert.equal(await page.textContent('[data-kpi="overall.conversations"] .kpi-value'), nf.format(r30.overall.conversations));
  assert.equal(await page.locator('[data-table="sources"] tbody tr').count(), r30.sources.length);
  const s0 = r30.sources[0];
  assert.deepEqual(await row(page, 'sources', 0), {
    Source: s0.name, Key: s0.key, Type: s0.kind, Conversations: str(s0.conversations), Leads: str(s0.leads),
    'Conversion rate': str(s0.conversion_rate), Invested: str(s0.invested), 'Cost per lead': str(s0.conversion_cost),
    Revenue: str(s0.revenue), ROAS: str(s0.roas), Conversions: str(s0.conversions),
  });
  const steps = r30.sources.flatMap((s) => (s.funnel ?? []).flatMap((f) => f.steps.map((st) => [s.name, f.name, st])));
  assert.ok(steps.length > 0, 'the example config has a funnel');
  assert.equal(await page.locator('[data-table="funnels"] tbody tr').count(), steps.length);
  const f0 = await row(page, 'funnels', 0);
  assert.deepEqual([f0.Source, f0.Reached, f0['Drop-off']], [steps[0][0], str(steps[0][2].reached), str(steps[0][2].drop_off)]);
  const e0 = await row(page, 'events', 0);
  assert.deepEqual([e0.Event, e0.Occurrences, e0.Users, e0.Conversations],
    [r30.events[0].name, str(r30.events[0].occurrences), str(r30.events[0].users), str(r30.events[0].conversations)]);
  await page.screenshot({ path: path.join(outDir, 'dashboard-sources.png') });

  // Definitions: the committed module is what `report --explain` generates, and the page
  // shows that text on keyboard focus.
  const explain = definitions.explainText(REPORT);
  assert.equal(fs.readFileSync(definitions.OUT, 'utf8'), definitions.render(explain), 'regenerate: node examples/web/tools/definitions.js');
  const defs = Object.fromEntries(definitions.parse(explain));
  const termSel = '[data-kpi="overall.conversations"] .term';
  assert.equal(await page.isVisible(`${termSel} .tip`), false);
  await page.focus(termSel);
  assert.equal(await page.isVisible(`${termSel} .tip`), true);
  assert.equal(await page.textContent(`${termSel} .tip`), defs['overall.conversations']);
  await page.hover('[data-table="sources"] thead .term[data-def="sources.roas"]');
  assert.equal(await page.textContent('[data-table="sources"] thead .term[data-def="sources.roas"] .tip'), defs['sources.roas']);
  // Near the bottom of the window a definition goes above its term; elsewhere below it.
  // The window is made to end 8 px under the term, then given its height back.
  const placed = () => page.evaluate((sel) => {
    const t = document.querySelector(sel);
    t.blur();
    t.focus();
    const r = t.getBoundingClientRect();
    const tip = t.querySelector('.tip').getBoundingClientRect();
    t.blur();
    return { below: tip.top >= r.bottom, above: tip.bottom <= r.top, inside: tip.top >= 0 && tip.bottom <= window.innerHeight };
  }, termSel);
  await page.evaluate(() => window.scrollTo(0, 0));
  const termBottom = await page.evaluate((sel) => document.querySelector(sel).getBoundingClientRect().bottom, termSel);
  await page.setViewportSize({ width: 1280, height: Math.ceil(termBottom + 8) });
  assert.deepEqual(await placed(), { below: false, above: true, inside: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(await placed(), { below: true, above: false, inside: true });

  // Sorting: Conversations descending, then ascending.
  const convs = () => page.$$eval('[data-table="sources"] tbody [data-col="Conversations"]', (cs) => cs.map((c) => Number(c.dataset.value)));
  await page.click('[data-table="sources"] thead button[aria-label="Sort by Conversations"]');
  const desc = r30.sources.map((s) => s.conversations).sort((a, b) => b - a);
  assert.deepEqual(await convs(), desc);
  assert.equal(await page.getAttribute('[data-table="sources"] thead th:nth-child(4)', 'aria-sort'), 'descending');
  await page.click('[data-table="sources"] thead button[aria-label="Sort by Conversations"]');
  assert.deepEqual(await convs(), [...desc].reverse());

  // CSV of a table: raw values, one line a row; and the contacts of a source are the
  // program's `--contacts` output.
  const csv = (await downloaded(page, '[data-csv="sources"]')).trimEnd().split('\r\n');
  assert.equal(csv[0], 'Source,Key,Type,Conversations,Leads,Conversion rate,Invested,Cost per lead,Revenue,ROAS,Conversions');
  assert.equal(csv.length, r30.sources.length + 1);
  const firstKey = await page.getAttribute('[data-table="sources"] tbody tr:first-child [data-col="Key"]', 'data-value');
  const contacts = await downloaded(page, '[data-table="sources"] tbody tr:first-child button.contacts');
  assert.equal(contacts, execFileSync(REPORT, ['--config', exampleConfig, '--last', '30d', '--contacts', firstKey, exampleData], { encoding: 'utf8' }));
  assert.deepEqual(await page.evaluate(() => import('./ui.js').then((m) => [m.csvCell('=1+2'), m.csvCell('+x'), m.csvCell('-x'), m.csvCell('@x'), m.csvCell('a,b'), m.csvCell(-3)])),
    ['\'=1+2', '\'+x', '\'-x', '\'@x', '"a,b"', '-3']);

  // Engagement (Turn.io).
  await view(page, 'engagement');
  const e = r30.engagement;
  assert.equal(await page.textContent('[data-kpi="engagement.active_users"] .kpi-value'), nf.format(e.active_users));
  assert.equal(await page.textContent('[data-kpi="engagement.new_users"] .kpi-value'), nf.format(e.new_users));
  const [c0] = Object.entries(e.countries);
  assert.deepEqual(await row(page, 'countries', 0), { Country: c0[0], 'Active users': str(c0[1]), Share: str(c0[1] / e.active_users) });
  assert.equal(await page.locator('[data-table="dau-data"] tbody tr').count(), e.daily_active.length);
  assert.deepEqual(await row(page, 'dau-data', 0), { Date: e.daily_active[0].date, new: str(e.daily_active[0].new), returning: str(e.daily_active[0].returning) });
  assert.deepEqual(await row(page, 'volume-data', 0), { Date: e.daily_volume[0].date, sent: str(e.daily_volume[0].sent), delivered: str(e.daily_volume[0].delivered), received: str(e.daily_volume[0].received) });
  assert.match(await page.getAttribute('#dau svg', 'aria-label'), /^Daily active users, /);
  const heat = await page.$$eval('[data-table="heatmap"] tbody td', (cs) => cs.map((c) => Number(c.dataset.value)));
  assert.deepEqual(heat, e.heatmap.flat());
  assert.equal(await page.textContent('[data-kpi="engagement.support.opened"] .kpi-value'), nf.format(e.support.opened));
  assert.equal(await page.textContent('[data-kpi="engagement.support.reopened"] .kpi-value'), nf.format(e.support.reopened));
  const [a0] = Object.entries(e.authors);
  assert.deepEqual((({ 'Author kind': k, 'Delivered messages': n }) => [k, n])(await row(page, 'authors', 0)), [a0[0], str(a0[1])]);
  await page.screenshot({ path: path.join(outDir, 'dashboard-engagement.png') });

  // Templates and campaigns (Kommo).
  await view(page, 'templates');
  const t0 = r30.templates[0];
  const tr0 = await row(page, 'templates', 0);
  assert.deepEqual([tr0.Template, tr0.Sent, tr0.Delivered, tr0.Read, tr0.Replied, tr0.Clicks, tr0.CTR, tr0.Cost, tr0['Cost per delivered'], tr0.Conversions],
    [t0.name, t0.sent, t0.delivered, t0.read, t0.replied, t0.clicks, t0.ctr, t0.cost, t0.cost_per_delivered, t0.conversions].map(str));
  const failures = [...r30.templates, ...r30.campaigns].reduce((s, x) => s + Object.keys(x.failed).length, 0);
  assert.equal(await page.locator('[data-table="failures"] tbody tr').count(), failures);
  assert.equal(await page.locator('[data-table="campaigns"] tbody tr').count(), r30.campaigns.length);
  await page.screenshot({ path: path.join(outDir, 'dashboard-templates.png') });

  // Billing and usage (BSP).
  await view(page, 'billing');
  const b = r30.billing;
  const cats = await page.$$eval('[data-table="cost-category"] tbody tr', (rs) => rs.map((r) => [r.querySelector('[data-col="Category"]').dataset.value, Number(r.querySelector('[data-col="Cost"]').dataset.value)]));
  assert.deepEqual(cats, Object.entries(b.cost.by_category).filter(([k]) => k !== 'meta_business_agent'));
  const [k0] = Object.entries(b.cost.by_country);
  assert.deepEqual(await row(page, 'cost-country', 0), { Country: k0[0], Cost: str(k0[1]) });
  const months = r30.usage.months;
  assert.equal(await page.locator('#c-quota meter').count(), months.filter((m) => m.quota).length);
  assert.equal(Number(await page.getAttribute('#c-quota meter', 'value')), Math.min(months[0].billable, months[0].quota));
  assert.deepEqual(await page.$$eval('#c-recon > div > p .term', (ts) => ts.map((x) => x.firstChild.textContent)),
    [`${nf.format(b.reconciliation.checked)} checked`, `${nf.format(b.reconciliation.mismatched)} mismatched`]);
  await page.screenshot({ path: path.join(outDir, 'dashboard-billing.png') });

  // Keyboard: the tabs follow the arrow keys.
  await page.focus('[role="tab"][data-view="billing"]');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#panel', 'data-view'), 'sources');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.view), 'sources');

  // Keyboard: Tab from the top reaches the data buttons, every control, the open tab and
  // the view's definitions.
  await page.focus('.skip');
  const reached = new Set();
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => {
      const a = document.activeElement;
      return a.id || a.dataset.last || (a.dataset.def && `def:${a.dataset.def}`) || a.className;
    }));
  }
  for (const want of ['drop', 'files', 'example', 'clear', '7d', '14d', '30d', '6m', '12m', 'from', 'to', 'apply-range',
    'phone', 'tz', 'event', 'model', 'compare', 'tab-sources', 'def:overall.conversations', 'csv', 'sort', 'contacts']) {
    assert.ok(reached.has(want), `Tab does not reach ${want}: ${[...reached].join(' ')}`);
  }

  // 390 px: no view is wider than the window.
  await page.setViewportSize({ width: 390, height: 844 });
  for (const v of ['sources', 'engagement', 'templates', 'billing']) {
    await view(page, v);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), `${v} overflows 390 px`);
  }
  await page.screenshot({ path: path.join(outDir, 'dashboard-390.png') });
  assert.deepEqual(problems, []);
});

test('every control asks for the report the program gives for the same options', { timeout: 180_000 }, async (t) => {
  const { origin, page, problems } = await setup(t);
  await ready(page, `${origin}/examples/web/`);
  const conv = () => page.textContent('[data-kpi="overall.conversations"] .kpi-value');
  const label = () => page.textContent('#range-label');
  for (const last of ['7d', '14d', '6m', '12m']) {
    const r = report(['--last', last]);
    await rerender(page, () => page.click(`.ranges button[data-last="${last}"]`));
    assert.equal(await page.getAttribute(`.ranges button[data-last="${last}"]`, 'aria-pressed'), 'true');
    assert.match(await label(), new RegExp(`^${r.range.from} – .* · ${r.range.days} days · `));
    assert.equal(await conv(), nf.format(r.overall.conversations), last);
  }
  // A custom range: the last day is inclusive on the page, exclusive in the options.
  const custom = report(['--from', '2025-06-20', '--to', '2025-07-10']);
  await page.fill('#from', '2025-06-20');
  await page.fill('#to', '2025-07-09');
  await rerender(page, () => page.click('#apply-range'));
  assert.match(await label(), /^2025-06-20 – 2025-07-09 · 20 days · /);
  assert.equal(await conv(), nf.format(custom.overall.conversations));
  assert.equal(await page.locator('.ranges button.active').count(), 0);
  // Back to 30D; then each picker.
  await rerender(page, () => page.click('.ranges button[data-last="30d"]'));
  const phones = await page.$$eval('#phone option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(phones, ['106540352242922', '106540352242999']);
  const byPhone = report(['--last', '30d', '--phone', phones[1]]);
  await rerender(page, () => page.selectOption('#phone', phones[1]));
  assert.match(await label(), new RegExp(`number ${phones[1]}`));
  assert.equal(await conv(), nf.format(byPhone.overall.conversations));
  await rerender(page, () => page.selectOption('#phone', ''));
  const utc = report(['--last', '30d', '--tz', 'UTC']);
  await rerender(page, () => page.selectOption('#tz', 'UTC'));
  assert.match(await label(), / · UTC$/);
  await view(page, 'engagement');
  assert.deepEqual(await row(page, 'dau-data', 0), { Date: utc.engagement.daily_active[0].date, new: str(utc.engagement.daily_active[0].new), returning: str(utc.engagement.daily_active[0].returning) });
  await rerender(page, () => page.selectOption('#tz', ''));
  await view(page, 'sources');
  const byEvent = report(['--last', '30d', '--event', 'interested']);
  await rerender(page, () => page.selectOption('#event', 'interested'));
  assert.equal(await page.textContent('[data-kpi="overall.leads"] .kpi-value'), nf.format(byEvent.overall.leads));
  assert.equal(await page.textContent('[data-kpi="overall.revenue"] .kpi-value'), '—', 'a messaging event has no revenue');
  await rerender(page, () => page.selectOption('#event', ''));
  const linear = report(['--last', '30d', '--model', 'linear']);
  await rerender(page, () => page.selectOption('#model', 'linear'));
  const lin = await row(page, 'sources', 0);
  assert.deepEqual([lin.Key, lin.Conversions, lin.Revenue], [linear.sources[0].key, str(linear.sources[0].conversions), str(linear.sources[0].revenue)]);
  // Compare: deltas on the KPIs and on the rows, the program's changes.
  const cmp = report(['--last', '30d', '--model', 'linear', '--compare']);
  await rerender(page, () => page.check('#compare'));
  const fig = (section, rowKey, figure) => cmp.compare.figures.find((f) => f.section === section && f.row === rowKey && f.figure === figure);
  assert.equal(Number(await page.getAttribute('[data-kpi="overall.conversations"] .delta', 'data-change')), fig('overall', null, 'conversations').change);
  const key0 = cmp.sources[0].key;
  assert.equal(Number(await page.getAttribute('[data-table="sources"] tbody tr:first-child [data-col="Conversations"] .delta', 'data-change')), fig('sources', key0, 'conversations').change);
  assert.match(await label(), new RegExp(`compared with ${cmp.compare.previous_range.from} – `));
  await view(page, 'templates');
  assert.ok(await page.locator('[data-table="templates"] .delta').count() > 0, 'deltas on template rows');
  await view(page, 'engagement');
  assert.equal(Number(await page.getAttribute('[data-kpi="engagement.active_users"] .delta', 'data-change')), fig('engagement', null, 'active_users').change);
  await view(page, 'billing');
  assert.equal(Number(await page.getAttribute('[data-kpi="billing.cost.total"] .delta', 'data-change')), fig('billing', null, 'cost.total').change);
  const charged = ['marketing', 'utility', 'authentication', 'service'].reduce((s, k) => s + fig('billing', null, `charged_messages.${k}`).change, 0);
  assert.equal(Number(await page.getAttribute('[data-kpi="billing.charged_messages"] .delta', 'data-change')), charged);
  // The tables the compare section leaves out (countries, authors, usage) compare each row
  // with the same key in the program's report of the previous period (core's rule: the
  // same length, immediately before).
  const prev = cmp.compare.previous_range;
  assert.equal(prev.to, cmp.range.from);
  assert.equal(prev.days, cmp.range.days);
  const before = report(['--from', prev.from, '--to', prev.to, '--model', 'linear']);
  const usage = cmp.usage.months.map((m, i) => [m.month, expectedChanges(
    Object.fromEntries(Object.entries(m.by_country).map(([k, x]) => [k, x.billable])),
    Object.fromEntries(Object.entries(before.usage.months[i]?.by_country ?? {}).map(([k, x]) => [k, x.billable])))]);
  for (const [month, want] of usage) assert.deepEqual(await rowChanges(page, `quota-${month}`, 'Billable'), want, month);
  assert.ok(usage.flatMap(([, w]) => w).some((x) => !x.new), 'a usage row is in both periods');
  assert.equal(Number(await page.getAttribute('#c-quota .month .vs .delta', 'data-change')), cmp.usage.months[0].billable - before.usage.months[0].billable);
  await view(page, 'engagement');
  const countries = expectedChanges(cmp.engagement.countries, before.engagement.countries);
  assert.ok(countries.some((x) => !x.new && x.change !== '0'), 'a country changed between the periods');
  assert.deepEqual(await rowChanges(page, 'countries', 'Active users'), countries);
  const authors = expectedChanges(cmp.engagement.authors, before.engagement.authors);
  assert.ok(authors.some((x) => !x.new), 'an author kind is in both periods');
  assert.deepEqual(await rowChanges(page, 'authors', 'Delivered messages'), authors);
  assert.deepEqual(problems, []);
});

test('ingest runs in chunks in a worker; bad lines, cancel, reload, clear', { timeout: 180_000 }, async (t) => {
  const { origin, page, problems } = await setup(t);
  await ready(page, `${origin}/examples/web/`);
  const before = await page.textContent('[data-kpi="overall.conversations"] .kpi-value');
  // A reload restores the example data from IndexedDB (no new read).
  await ready(page, `${origin}/examples/web/?chunk=300`);
  assert.match(await page.textContent('#status'), /^Restored from this browser's storage: 11,124 lines/);
  assert.equal(await page.textContent('[data-kpi="overall.conversations"] .kpi-value'), before);

  // A dropped file read in 300-byte chunks: the bad line's number, column and field are the
  // package's own for the whole text (so chunking does not shift them).
  const T0 = 1751400000;
  const good = [inbound('wamid.x1', '4915112345678', T0, 'Hi'), outbound('wamid.x2', '4915112345678', T0 + 60,
    { kind: 'template', template: '=HYPERLINK("x")', category: 'utility' }), inbound('wamid.x3', '4915112345679', T0 + 99, 'Hello')];
  // One document pretty-printed over many lines (longer than a chunk), then a bad line.
  const text = [JSON.stringify(good[0]), JSON.stringify(good[2], null, 2), JSON.stringify(good[1]),
    '{"type":"outbound","id":"wamid.bad","to":"491","timestamp":"soon"}', ''].join('\n');
  const { Engine } = require(pkgDir);
  const whole = new Engine().ingestJsonl(text);
  const expected = whole.errors[0];
  assert.equal(whole.errors.length, 1);
  assert.ok(expected.line > 20, `the bad line comes after the pretty-printed document (line ${expected.line})`);
  await page.setInputFiles('#files', { name: 'dropped.jsonl', mimeType: 'application/x-ndjson', buffer: Buffer.from(text) });
  await page.waitForFunction(() => document.querySelector('#dataset').textContent === 'dropped.jsonl');
  assert.match(await page.textContent('#status'), new RegExp(`^Read ${whole.lines} lines \\(`));
  assert.equal(await page.textContent('#status'),
    `${(await page.textContent('#status')).split(' 1 could not be read')[0]} 1 could not be read; first: dropped.jsonl line ${expected.line}, column ${expected.column}, field ${expected.field}: ${expected.message}`);
  assert.equal(await page.locator('#errors li').count(), 1);
  await view(page, 'templates');
  assert.equal(await page.textContent('[data-table="templates"] tbody tr:first-child [data-col="Template"]'), '=HYPERLINK("x")');
  const csv = await downloaded(page, '[data-csv="templates"]');
  assert.match(csv.split('\r\n')[1], /^"'=HYPERLINK\(""x""\)",utility,1,/, 'the formula guard');

  // A real drop event on the drop zone adds nothing new but is read the same way.
  const dataTransfer = await page.evaluateHandle((tx) => {
    const dt = new DataTransfer();
    dt.items.add(new File([tx], 'dragged.jsonl', { type: 'application/x-ndjson' }));
    return dt;
  }, text);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer });
  await page.waitForFunction(() => document.querySelector('#dataset').textContent === 'dragged.jsonl');

  // Reload: the dropped data, not the example, comes back, in the view that was open.
  await ready(page, `${origin}/examples/web/?chunk=65536`);
  assert.equal(await page.getAttribute('#panel', 'data-view'), 'templates');
  await view(page, 'sources');
  assert.match(await page.textContent('#status'), new RegExp(`^Restored from this browser's storage: ${whole.lines} lines`));
  assert.equal(await page.textContent('#dataset'), 'dragged.jsonl');
  assert.equal(await page.textContent('[data-kpi="overall.conversations"] .kpi-value'), '2');

  // Cancel a load (the example, 65,536-byte chunks): the previous data stays.
  // Cancel is pressed as soon as the load starts (the page posts 'load' to the worker in
  // the same task that marks it busy), so the worker sees it between two chunks.
  await page.evaluate(() => {
    const seen = new MutationObserver(() => {
      if (document.body.dataset.busy !== 'true') return;
      seen.disconnect();
      window.__loadingShown = !document.querySelector('#loading').hidden;
      document.querySelector('#cancel').click();
    });
    seen.observe(document.body, { attributes: true, attributeFilter: ['data-busy'] });
  });
  await page.click('#example');
  await page.waitForFunction(() => window.__loadingShown !== undefined && document.body.dataset.busy === 'false');
  assert.equal(await page.evaluate(() => window.__loadingShown), true, 'the progress bar and cancel button show while loading');
  assert.equal(await page.textContent('#status'), 'Loading cancelled: the previous data is kept.');
  assert.equal(await page.textContent('[data-kpi="overall.conversations"] .kpi-value'), '2');

  // Clear: the empty state says what to do, also after a reload; its button loads the example.
  await page.click('#clear');
  await page.waitForSelector('.empty-state');
  assert.match(await page.textContent('.empty-state'), /No data yet.*Drop JSONL files/s);
  await ready(page, `${origin}/examples/web/`);
  assert.match(await page.textContent('#status'), /^No data: drop JSONL files, or load the example data\.$/);
  await page.click('.empty-state button');
  await page.waitForSelector('[data-table="sources"]');
  assert.equal(await page.textContent('[data-kpi="overall.conversations"] .kpi-value'), before);
  assert.deepEqual(problems, []);
});
