'use strict';
// Ingest throughput of the WASM package in Node against the native core on the same data.
//
//   node bindings-wasm/bench/ingest.js [FILE] [CONFIG] [RUNS] [ROUNDS]
//
// Each run ingests the whole file into a fresh engine in one `ingestJsonl(bytes)` call
// (the bytes already in memory; the copy into wasm memory is included). The native
// baseline is `examples/ingest_native.rs` doing the same with `ingest_reader` (built here
// with cargo). Rounds
// alternate native and wasm so that both see the same machine load; the fastest run of
// each over all rounds is kept, by wall clock and by CPU time (the Node process's, which
// includes V8's helper threads; the native thread's on Linux): on a busy machine the CPU
// figures are the steadier. Prints one JSON line with both and the ratios.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const file = path.resolve(process.argv[2] || path.join(root, 'examples', 'data', 'example.jsonl'));
const configPath = process.argv[3] ?? path.join(root, 'examples', 'data', 'config.json');
const runs = Number(process.argv[4] || 5);
const rounds = Number(process.argv[5] || 3);
const { Engine } = require(path.join(root, 'bindings-wasm', 'pkg'));
// Build the native baseline (a no-op when fresh) and take its path from cargo, so a stale
// binary or another target directory is never measured.
const nativeBin = execFileSync('cargo', ['build', '--release', '-q', '-p', 'convolens-wasm', '--example', 'ingest_native',
  '--message-format=json'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 })
  .split('\n').filter(Boolean).map((l) => JSON.parse(l))
  .find((m) => m.reason === 'compiler-artifact' && m.target.name === 'ingest_native').executable;

const bytes = fs.readFileSync(file);
const config = configPath && fs.existsSync(configPath) ? fs.readFileSync(configPath, 'utf8') : undefined;
// A `rate_card` path is relative to the config's directory (as the report program reads it).
const readFile = (p) => fs.readFileSync(path.resolve(path.dirname(configPath), p), 'utf8');

function wasmRuns() {
  let best = Infinity;
  let bestCpu = Infinity;
  let lines = 0;
  for (let i = 0; i < runs; i++) {
    const engine = new Engine(config, readFile);
    const cpu = process.cpuUsage();
    const t = process.hrtime.bigint();
    lines = engine.ingestJsonl(bytes).lines;
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    const used = process.cpuUsage(cpu);
    bestCpu = Math.min(bestCpu, (used.user + used.system) / 1e6);
    engine.free();
  }
  return { lines, best, bestCpu };
}

function nativeRuns() {
  const out = JSON.parse(execFileSync(nativeBin, [file, config ? configPath : '', String(runs)], { encoding: 'utf8' }));
  return { lines: out.lines, best: out.best_seconds, bestCpu: out.best_cpu_seconds ?? NaN };
}

const best = { native: { best: Infinity, bestCpu: Infinity }, wasm: { best: Infinity, bestCpu: Infinity } };
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of [['native', nativeRuns], ['wasm', wasmRuns]]) {
    const x = f();
    best[name].lines = x.lines;
    best[name].best = Math.min(best[name].best, x.best);
    best[name].bestCpu = Math.min(best[name].bestCpu, x.bestCpu);
  }
}
const mbps = (s) => +(bytes.length / s / 1e6).toFixed(1);
const figures = (x) => ({
  lines: x.lines, best_seconds: +x.best.toFixed(4), mb_per_s: mbps(x.best),
  best_cpu_seconds: +x.bestCpu.toFixed(4), cpu_mb_per_s: mbps(x.bestCpu),
});
console.log(JSON.stringify({
  file: path.relative(root, file), bytes: bytes.length, runs, rounds,
  native: figures(best.native),
  wasm: figures(best.wasm),
  ratio: +(best.wasm.best / best.native.best).toFixed(2),
  cpu_ratio: +(best.wasm.bestCpu / best.native.bestCpu).toFixed(2),
}));
