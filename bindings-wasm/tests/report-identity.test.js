'use strict';
// The WASM report of the example data is the `report --json` program's output, key for key
// and value for value, for several option sets.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const { root, pkgDir, exampleData, exampleConfig } = require('./helpers');
const { Engine } = require(pkgDir);

const haveData = fs.existsSync(exampleData);
const haveConfig = fs.existsSync(exampleConfig);

/** Run the native report program on the example data; parse its JSON. */
function native(args) {
  const config = haveConfig ? ['--config', exampleConfig] : [];
  let stdout;
  try {
    stdout = execFileSync('cargo', ['run', '--release', '-q', '--bin', 'report', '--', '--json', ...config, ...args, exampleData],
      { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    // Exit code 1 means some lines failed; the report is still printed.
    if (e.status !== 1 || !e.stdout) throw e;
    stdout = e.stdout;
  }
  return JSON.parse(stdout);
}

/** The engine's options for the same arguments. */
function optionsOf(args) {
  const o = {};
  for (let i = 0; i < args.length; i += 2) o[args[i].replace(/^--/, '').replace('tz', 'time_zone')] = args[i + 1];
  return o;
}

test('the report of the example data is identical to `report --json`', { skip: !haveData && 'no examples/data/example.jsonl' }, async (t) => {
  const engine = new Engine(haveConfig ? fs.readFileSync(exampleConfig, 'utf8') : undefined);
  const out = engine.ingestJsonl(fs.readFileSync(exampleData));
  assert.ok(out.outcome.ingested > 1000, 'the example data has traffic');
  const phones = [...new Set(fs.readFileSync(exampleData, 'utf8').match(/"phone_number_id":"\d+"/g))]
    .map((m) => m.split('"')[3]).sort();
  const cases = [[], ['--last', '7d'], ['--last', '30d'], ['--last', '12m'], ['--tz', 'UTC'],
    ['--phone', phones[phones.length - 1]], ['--model', 'linear']];
  for (const args of cases) {
    await t.test(`report ${args.join(' ') || '(all days)'}`, () => {
      const mine = engine.report(optionsOf(args));
      const theirs = native(args);
      assert.deepStrictEqual(mine, theirs);
      // Same text as well: same keys in the same order.
      assert.equal(JSON.stringify(mine), JSON.stringify(theirs));
    });
  }
});
