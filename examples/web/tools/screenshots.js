'use strict';
// Writes examples/web/screenshots/<view>-<width>.png: each view of the dashboard on the
// example data (30D), at 1280 and 390 px wide, cropped to the window, in headless Chromium.
//
//   bash bindings-wasm/build.sh && (cd bindings-wasm/tests && npm ci)
//   node examples/web/tools/screenshots.js
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const { start } = require(path.join(ROOT, 'examples', 'web', 'serve.js'));
const { chromium } = require(path.join(ROOT, 'bindings-wasm', 'tests', 'node_modules', 'playwright-core'));
const OUT = path.join(ROOT, 'examples', 'web', 'screenshots');

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const server = await start(0);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  try {
    for (const [width, height] of [[1280, 860], [390, 844]]) {
      const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
      await page.goto(`http://127.0.0.1:${server.address().port}/examples/web/`);
      await page.waitForSelector('body[data-state="ready"]', { timeout: 120_000 });
      for (const v of ['sources', 'engagement', 'templates', 'billing']) {
        await page.click(`[role="tab"][data-view="${v}"]`);
        // Narrow: start at the tabs, so the view fills the window.
        if (width < 600) await page.evaluate(() => document.querySelector('.tabs').scrollIntoView());
        else await page.evaluate(() => window.scrollTo(0, 0));
        const file = path.join(OUT, `${v}-${width}.png`);
        await page.screenshot({ path: file });
        console.log(`${path.relative(ROOT, file)}: ${fs.statSync(file).size} bytes`);
      }
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
