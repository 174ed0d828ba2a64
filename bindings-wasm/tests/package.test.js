'use strict';
// The npm package as users get it: `npm pack` of pkg/, installed from the tarball into a
// fresh project, then used the four ways package.json's `exports` offers:
//   - Node, CommonJS `require('convolens')`        -> convolens.js (nodejs glue)
//   - Node, ES module `import ... from 'convolens'` -> node.mjs (web glue, initialised at once)
//   - a page bundled by Vite                       -> web/convolens.js, .wasm as Vite's asset
//   - a page bundled by esbuild (target es2020, so any top-level await in the package would
//     fail the build)                               -> web/convolens.js, .wasm by the file loader
// Both pages run in Debian's headless Chromium: no console error, no failed request, and
// the report of the example data equal to Node's. The tarball's contents (one .wasm, the
// licences) and the TypeScript view of each condition are checked too.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { root, pkgDir, exampleData, exampleConfig, readFileBeside } = require('./helpers');
const { start } = require(path.join(root, 'examples', 'web', 'serve.js'));

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const fixture = path.join(__dirname, 'app');
const rateCard = path.join(path.dirname(exampleConfig), 'rate-card.example.csv');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'convolens-npm-'));
const app = path.join(work, 'app');
test.after(() => fs.rmSync(work, { recursive: true, force: true }));

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Node's report of the example data (the package under test, loaded in this process). */
function nodeReport() {
  const { Engine } = require(pkgDir);
  const engine = new Engine(fs.readFileSync(exampleConfig, 'utf8'), readFileBeside(exampleConfig));
  engine.ingestJsonl(fs.readFileSync(exampleData));
  return JSON.parse(JSON.stringify(engine.report()));
}
const expected = nodeReport();

let packed;
test('npm pack: one .wasm, the licences, every exported file, nothing else', () => {
  [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], pkgDir));
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'convolens.d.ts', 'convolens.js', 'convolens_bg.wasm',
    'node.d.mts', 'node.mjs', 'package.json', 'schema/config.schema.json', 'schema/report.schema.json',
    'web/convolens.d.ts', 'web/convolens.js', 'web/package.json',
  ]);
  assert.equal(files.filter((f) => f.endsWith('.wasm')).length, 1, 'the .wasm ships once');
  const wasm = packed.files.find((f) => f.path === 'convolens_bg.wasm');
  // The tarball is about the gzipped .wasm: the rest (glue, types, docs) is small.
  assert.ok(packed.size < wasm.size / 2, `tarball ${packed.size} bytes for a ${wasm.size}-byte .wasm`);
  const meta = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  assert.equal(meta.license, 'MIT OR Apache-2.0');
  assert.equal(meta.sideEffects, false);
  assert.equal(meta.engines.node, '>=20');
  // Every target the exports map names is in the tarball.
  const targets = [];
  const walk = (v) => (typeof v === 'string' ? targets.push(v.replace(/^\.\//, '')) : Object.values(v).forEach(walk));
  walk(meta.exports);
  for (const t of targets) assert.ok(files.includes(t), `exports names ${t}, which is not packed`);
  assert.match(fs.readFileSync(path.join(pkgDir, 'LICENSE-MIT'), 'utf8'), /Copyright \(c\) The convolens developers/);
  console.log(`# ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.length} files`);
});

test('installed from the tarball into a fresh project', () => {
  assert.ok(packed, 'the pack test ran first');
  fs.mkdirSync(path.join(app, 'public'), { recursive: true });
  fs.writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'app', private: true }, null, 2)}\n`);
  npm(['install', '--no-audit', '--no-fund', '--loglevel=error', path.join(work, packed.filename)], app);
  for (const f of fs.readdirSync(fixture)) fs.copyFileSync(path.join(fixture, f), path.join(app, f));
  // The data the pages fetch from their site, and the Node scripts read from the disk.
  for (const dir of [app, path.join(app, 'public')]) {
    fs.copyFileSync(exampleData, path.join(dir, 'traffic.jsonl'));
    fs.copyFileSync(exampleConfig, path.join(dir, 'config.json'));
    fs.copyFileSync(rateCard, path.join(dir, 'rate-card.example.csv'));
  }
  const installed = JSON.parse(fs.readFileSync(path.join(app, 'node_modules', 'convolens', 'package.json'), 'utf8'));
  assert.equal(installed.name, 'convolens');
});

const NODE_USE = {
  'use.cjs': `
const fs = require('node:fs');
const { Engine } = require('convolens');
// The JSON Schemas ship in the package and describe the report (issue #21 item 7).
const schema = require('convolens/schema/report.schema.json');
if (schema.title !== 'Report' || !schema.$defs.SourceRow) throw new Error('bad report schema');
if (require('convolens/schema/config.schema.json').title !== 'Config') throw new Error('bad config schema');
const engine = new Engine(fs.readFileSync('config.json', 'utf8'), (p) => fs.readFileSync(p, 'utf8'));
engine.ingestJsonl(fs.readFileSync('traffic.jsonl'));
process.stdout.write(JSON.stringify({ entry: require.resolve('convolens'), report: engine.report() }));
`,
  'use.mjs': `
import fs from 'node:fs';
import init, { Engine } from 'convolens';
import * as web from 'convolens/web';
await init(); // what browser code does; in Node the module is ready already
if (web.Engine !== Engine) throw new Error('convolens/web is another instance');
const engine = new Engine(fs.readFileSync('config.json', 'utf8'), (p) => fs.readFileSync(p, 'utf8'));
engine.ingestJsonl(fs.readFileSync('traffic.jsonl'));
process.stdout.write(JSON.stringify({ entry: import.meta.resolve('convolens'), report: engine.report() }));
`,
};

for (const [file, entry] of [['use.cjs', 'convolens.js'], ['use.mjs', 'node.mjs']]) {
  test(`Node ${file.endsWith('.cjs') ? 'CommonJS require' : 'ES module import'} gets ${entry} and Node's report`, () => {
    fs.writeFileSync(path.join(app, file), NODE_USE[file]);
    const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8', maxBuffer: 1 << 28 }));
    assert.equal(path.basename(out.entry), entry, out.entry);
    assert.deepEqual(out.report, expected);
  });
}

test('TypeScript sees each condition\'s types (bundler, Node ESM, Node CommonJS)', () => {
  const tsc = path.join(__dirname, 'node_modules', 'typescript', 'bin', 'tsc');
  fs.writeFileSync(path.join(app, 'bundler.ts'), [
    "import init, { Engine, type Report } from 'convolens';",
    'export async function run(): Promise<number> {',
    '  await init();',
    '  const report: Report = new Engine().report();',
    '  return report.range.days;',
    '}', ''].join('\n'));
  fs.writeFileSync(path.join(app, 'esm.mts'), [
    "import init, { Engine, type Report } from 'convolens';",
    'await init();',
    'export const report: Report = new Engine().report();', ''].join('\n'));
  fs.writeFileSync(path.join(app, 'cjs.cts'), [
    "import convolens = require('convolens');",
    'export const report: convolens.Report = new convolens.Engine().report();', ''].join('\n'));
  const common = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', '--lib', 'es2022,esnext.disposable,dom'];
  const run = (args) => {
    try {
      execFileSync(process.execPath, [tsc, ...common, ...args], { cwd: app, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      assert.fail(`tsc ${args.join(' ')}:\n${e.stdout}${e.stderr}`);
    }
  };
  run(['--module', 'esnext', '--moduleResolution', 'bundler', 'bundler.ts']);
  run(['--module', 'node16', '--moduleResolution', 'node16', 'esm.mts', 'cjs.cts']);
});

/** Build the page with both bundlers; returns { name: dist directory }. */
async function buildPages() {
  const dists = { vite: path.join(app, 'dist-vite'), esbuild: path.join(app, 'dist-esbuild') };
  fs.copyFileSync(path.join(app, 'main-vite.js'), path.join(app, 'main.js'));
  const vite = await import('vite');
  await vite.build({
    root: app, configFile: false, logLevel: 'warn', publicDir: path.join(app, 'public'),
    build: { outDir: dists.vite, emptyOutDir: true },
  });
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [path.join(app, 'main-esbuild.js')], absWorkingDir: app, bundle: true, format: 'esm',
    platform: 'browser', target: 'es2020', outfile: path.join(dists.esbuild, 'main.js'),
    loader: { '.wasm': 'file' }, logLevel: 'silent', metafile: true,
  });
  assert.deepEqual(result.errors, []);
  fs.copyFileSync(path.join(app, 'index.html'), path.join(dists.esbuild, 'index.html'));
  for (const f of fs.readdirSync(path.join(app, 'public'))) {
    fs.copyFileSync(path.join(app, 'public', f), path.join(dists.esbuild, f));
  }
  return dists;
}

test('pages bundled by Vite and by esbuild run in Chromium with Node\'s report', { timeout: 300_000 }, async (t) => {
  assert.ok(fs.existsSync(CHROMIUM), `no browser at ${CHROMIUM} (test.sh installs Debian's chromium)`);
  const dists = await buildPages();
  for (const [name, dist] of Object.entries(dists)) {
    const wasms = [];
    const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory()
      ? walk(path.join(d, e.name)) : e.name.endsWith('.wasm') && wasms.push(e.name)));
    walk(dist);
    assert.equal(wasms.length, 1, `${name} emitted one .wasm: ${wasms}`);
  }
  const { chromium } = require('playwright-core');
  // playwright gives the browser a fresh, empty profile directory of its own.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  t.after(() => browser.close());
  for (const [name, dist] of Object.entries(dists)) {
    await t.test(name, async () => {
      const server = await start(0, dist);
      const origin = `http://127.0.0.1:${server.address().port}`;
      const page = await browser.newPage();
      const problems = [];
      const wasmResponses = [];
      page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      page.on('response', (r) => {
        if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
        if (r.url().endsWith('.wasm')) wasmResponses.push(r.status());
      });
      try {
        await page.goto(`${origin}/`);
        await page.waitForSelector('body[data-state]', { timeout: 120_000 });
        const status = await page.textContent('#status');
        assert.equal(await page.getAttribute('body', 'data-state'), 'ready', status);
        assert.match(status, /^convolens \d+\.\d+\.\d+: \d+ lines, 0 unreadable, \d+ sources$/);
        const report = JSON.parse(await page.evaluate(() => window.convolensReport));
        assert.deepEqual(report, expected);
        assert.deepEqual(wasmResponses, [200], 'the page fetched the bundled .wasm once');
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
        server.close();
      }
    });
  }
});
