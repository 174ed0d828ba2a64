'use strict';
// Ingest throughput of the WASM package in Node against the native core on the same data.
//
//   node bindings-wasm/bench/ingest.js [FILE] [CONFIG] [RUNS]
//
// Each run ingests the whole file into a fresh engine in one `ingestJsonl(bytes)` call
// (the bytes already in memory; the copy into wasm memory is included). The native
// baseline is `examples/ingest_native.rs` doing the same with `ingest_reader`. Prints the
// fastest run of each and the ratio.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const file = process.argv[2] || path.join(root, 'examples', 'data', 'example.jsonl');
const configPath = process.argv[3] ?? path.join(root, 'examples', 'data', 'config.json');
const runs = Number(process.argv[4] || 5);
const { Engine } = require(path.join(root, 'bindings-wasm', 'pkg'));

const bytes = fs.readFileSync(file);
const config = configPath && fs.existsSync(configPath) ? fs.readFileSync(configPath, 'utf8') : undefined;
let best = Infinity;
let lines = 0;
for (let i = 0; i < runs; i++) {
  const engine = new Engine(config);
  const t = process.hrtime.bigint();
  lines = engine.ingestJsonl(bytes).lines;
  best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  engine.free();
}
const wasm = { bytes: bytes.length, lines, best_seconds: best, mb_per_s: bytes.length / best / 1e6 };
const native = JSON.parse(execFileSync('cargo', ['run', '--release', '-q', '-p', 'convolens-wasm', '--example',
  'ingest_native', '--', file, configPath && fs.existsSync(configPath) ? configPath : '', String(runs)],
{ cwd: root, encoding: 'utf8' }));
console.log(JSON.stringify({ file: path.relative(root, file), native, wasm, ratio: +(native.mb_per_s / wasm.mb_per_s).toFixed(2) }));
