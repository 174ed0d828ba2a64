'use strict';
// Bench (not a test): load a ~200 MB JSONL file through the dashboard's ingest worker in
// headless Chromium and measure the page's main-thread long tasks (PerformanceObserver
// 'longtask': tasks over 50 ms) and the largest gap of a 20 ms timer, from choosing the file
// to the rendered report. The file comes from the example generator (gen_data) and is
// deleted afterwards.
//
//   bash bindings-wasm/build.sh && (cd bindings-wasm/tests && npm ci)
//   node examples/web/bench/longtasks.js [MEGABYTES=200]
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const { start } = require(path.join(ROOT, 'examples', 'web', 'serve.js'));
const { chromium } = require(path.join(ROOT, 'bindings-wasm', 'tests', 'node_modules', 'playwright-core'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TARGET = process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target');

function generate(mb) {
  const file = path.join(TARGET, `longtasks-${mb}mb.jsonl`);
  // Over 122 days the generator writes about 125 bytes per user and day (measured: 8,696
  // users gave 133.3 MB).
  const days = 122;
  const users = Math.round((mb * 1e6) / (125 * days));
  execFileSync('cargo', ['run', '--release', '-q', '--bin', 'gen_data', '--', '--seed', '7', '--users', String(users),
    '--days', String(days), '--start', '2025-03-01', file], { cwd: ROOT, stdio: 'inherit' });
  return file;
}

async function main() {
  const mb = Number(process.argv[2] || 200);
  const file = generate(mb);
  const size = fs.statSync(file).size;
  const server = await start(0);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => {
      window.__long = [];
      new PerformanceObserver((l) => window.__long.push(...l.getEntries().map((e) => ({ start: e.startTime, ms: e.duration })))).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/examples/web/`);
    await page.waitForSelector('body[data-state="ready"]', { timeout: 300_000 });
    // The observer works here: a deliberate 120 ms task must show up as one long task.
    const probe = await page.evaluate(async () => {
      window.__long = [];
      setTimeout(() => {
        const t = performance.now();
        while (performance.now() - t < 120);
      }, 0);
      await new Promise((r) => setTimeout(r, 400));
      return window.__long.map((e) => Math.round(e.ms));
    });
    if (probe.length !== 1 || probe[0] < 120) throw new Error(`the long-task observer did not see a 120 ms task: ${probe}`);
    console.log(`observer check: a 120 ms busy loop was seen as a ${probe[0]} ms long task`);
    // From here: the big file. A 20 ms timer's largest gap shows how long the page froze.
    await page.evaluate(() => {
      window.__long = [];
      window.__t0 = performance.now();
      window.__gap = 0;
      let last = performance.now();
      window.__timer = setInterval(() => {
        const now = performance.now();
        window.__gap = Math.max(window.__gap, now - last - 20);
        last = now;
      }, 20);
    });
    const t0 = Date.now();
    await page.setInputFiles('#files', file);
    await page.waitForFunction(() => document.body.dataset.busy === 'false' && /^Read /.test(document.querySelector('#status').textContent), null,
      { timeout: 1_800_000, polling: 500 });
    const wall = (Date.now() - t0) / 1000;
    const m = await page.evaluate(() => {
      clearInterval(window.__timer);
      const ms = window.__long.map((e) => e.ms);
      const at = window.__long.map((e) => `${Math.round(e.ms)} ms at +${((e.start - window.__t0) / 1000).toFixed(1)} s`);
      return { count: ms.length, max: Math.max(0, ...ms), total: ms.reduce((s, x) => s + x, 0), gap: window.__gap, at, status: document.querySelector('#status').textContent };
    });
    console.log(`file: ${(size / 1e6).toFixed(1)} MB; load to rendered report: ${wall.toFixed(1)} s`);
    console.log(`status: ${m.status}`);
    console.log(`main-thread long tasks: ${m.count}, longest ${m.max.toFixed(0)} ms, total ${m.total.toFixed(0)} ms; largest 20 ms timer gap ${m.gap.toFixed(0)} ms`);
    if (m.at.length) console.log(`long tasks: ${m.at.join(', ')} (after choosing the file)`);
  } finally {
    await browser.close();
    server.close();
    fs.rmSync(file, { force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
