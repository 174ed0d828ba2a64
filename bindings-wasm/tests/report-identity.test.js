'use strict';
// The WASM report of the example data is the `report --json` program's output, key for key
// and value for value (and the same JSON text), for several option sets; the contacts
// export is the program's `--contacts` output byte for byte.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const { root, pkgDir, exampleData, exampleConfig, readFileBeside } = require('./helpers');
const { Engine } = require(pkgDir);

/** Run the native report program on the example data with `args`; its standard output. */
function native(args) {
  return execFileSync('cargo', ['run', '--release', '-q', '--bin', 'report', '--',
    '--config', exampleConfig, ...args, exampleData],
  { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
}

const engine = new Engine(fs.readFileSync(exampleConfig, 'utf8'), readFileBeside(exampleConfig));
const ingested = engine.ingestJsonl(fs.readFileSync(exampleData));

// [program arguments, the same as report options]
const CASES = [
  [[], {}],
  [['--last', '7d'], { last: '7d' }],
  [['--last', '30d'], { last: '30d' }],
  [['--last', '12m'], { last: '12m' }],
  [['--from', '2025-06-20', '--to', '2025-07-10'], { from: '2025-06-20', to: '2025-07-10' }],
  [['--tz', 'UTC', '--last', '14d'], { time_zone: 'UTC', last: '14d' }],
  // Other zones than the config's: the .wasm reads offsets from core's compact table,
  // the program from chrono-tz (zones.test.js): half-hour DST, +05:45, old Brazilian DST.
  [['--tz', 'America/New_York'], { time_zone: 'America/New_York' }],
  [['--tz', 'America/Sao_Paulo', '--last', '12m'], { time_zone: 'America/Sao_Paulo', last: '12m' }],
  [['--tz', 'Australia/Lord_Howe'], { time_zone: 'Australia/Lord_Howe' }],
  [['--tz', 'Asia/Kathmandu', '--last', '30d'], { time_zone: 'Asia/Kathmandu', last: '30d' }],
  [['--model', 'linear'], { model: 'linear' }],
  [['--compare', '--last', '30d'], { compare: true, last: '30d' }],
  [['--compare-models'], { compare_models: true }],
  [['--event', 'interested', '--compare', '--last', '30d'], { conversionEvent: 'interested', compare: true, last: '30d' }],
];

test('the example data ingests cleanly', () => {
  assert.equal(ingested.errors.length, 0);
  assert.ok(ingested.outcome.ingested > 10000, 'the example data has traffic');
});

for (const [args, options] of CASES) {
  test(`report ${JSON.stringify(options)} is \`report --json ${args.join(' ')}\``, () => {
    const mine = engine.report(options);
    const theirs = JSON.parse(native(['--json', ...args]));
    assert.deepStrictEqual(mine, theirs);
    // Same text as well: same keys in the same order.
    assert.equal(JSON.stringify(mine), JSON.stringify(theirs));
  });
}

test('report on one business number is `report --json --phone`', () => {
  const phones = [...new Set(fs.readFileSync(exampleData, 'utf8').match(/"phone_number_id":"[^"]+"/g))]
    .map((m) => m.split('"')[3]).sort();
  assert.ok(phones.length >= 2, 'the example data has several numbers');
  const phone = phones[phones.length - 1];
  assert.deepStrictEqual(engine.report({ phone, last: '30d' }),
    JSON.parse(native(['--json', '--phone', phone, '--last', '30d'])));
});

test('exportContacts is `report --contacts`, byte for byte', () => {
  for (const name of ['campaign:summer_sale', 'purchase']) {
    const mine = engine.exportContacts(name, { last: '30d' });
    assert.ok(mine.split('\r\n').length > 3, `${name} has contacts`);
    assert.equal(mine, native(['--contacts', name, '--last', '30d']));
  }
});
