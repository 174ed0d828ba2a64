'use strict';
// The TypeScript definitions: `tsc --noEmit --strict` over a usage file (tests/types/usage.ts)
// and over the example data's real report, configuration and resolved configuration
// written out as typed object literals. Object literals are checked for missing and for
// excess properties at every depth, so a field the core adds, drops or renames without the
// same change in src/types.d.ts fails here.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { pkgDir, exampleData, exampleConfig, readFileBeside } = require('./helpers');
const { Engine } = require(pkgDir);

const tsc = path.join(__dirname, 'node_modules', 'typescript', 'bin', 'tsc');
const outDir = path.join(__dirname, 'out');

test('the type definitions describe the API and the example data\'s report exactly', () => {
  assert.ok(fs.existsSync(tsc), 'typescript is missing: run `npm ci` in bindings-wasm/tests (test.sh does)');
  const configText = fs.readFileSync(exampleConfig, 'utf8');
  const engine = new Engine(configText, readFileBeside(exampleConfig));
  engine.ingestJsonl(fs.readFileSync(exampleData));
  const report = engine.report({ compare: true, compare_models: true });
  const filtered = engine.report({ last: '7d', phone: '106540352242999', conversionEvent: 'interested' });
  // Every optional part is present in what is checked.
  assert.ok(report.compare && report.attribution.comparison && report.sources.some((s) => s.funnel));
  assert.ok(report.usage.months.some((m) => 'quota_used' in m));
  fs.mkdirSync(outDir, { recursive: true });
  const literal = path.join(outDir, 'literals.ts');
  fs.writeFileSync(literal, [
    'import type { Config, Report, ResolvedConfig } from "../../pkg/convolens";',
    `export const report: Report = ${JSON.stringify(report, null, 1)};`,
    `export const filtered: Report = ${JSON.stringify(filtered)};`,
    `export const config: Config = ${configText};`,
    `export const resolved: ResolvedConfig = ${JSON.stringify(engine.config())};`,
    '',
  ].join('\n'));
  const args = [tsc, '--noEmit', '--strict', '--target', 'es2020', '--lib', 'es2022,esnext.disposable,dom', '--module', 'commonjs',
    '--moduleResolution', 'node', path.join(__dirname, 'types', 'usage.ts'), literal];
  try {
    execFileSync(process.execPath, args, { encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    assert.fail(`tsc found type errors:\n${e.stdout}${e.stderr}`);
  }
});

test('the definitions use no `any`', () => {
  for (const f of ['convolens.d.ts', path.join('web', 'convolens.d.ts')]) {
    // The web build's `InitOutput` lists the raw wasm exports (wasm-bindgen's ABI, where an
    // externref is `any`); it is not the API and is left out.
    const dts = fs.readFileSync(path.join(pkgDir, f), 'utf8').replace(/export interface InitOutput \{[^}]*\}/, '');
    const anys = dts.split('\n').filter((l) => !/^\s*(\/\*|\*|\/\/)/.test(l) && /\bany\b/.test(l));
    assert.deepEqual(anys, [], `${f} uses \`any\``);
  }
});
