#!/usr/bin/env bash
# Test the npm package `convolens` and the dashboard page (scripts/test-all.sh runs this):
#   1. build pkg/ (build.sh installs the wasm toolchain when missing);
#   2. the Node tests (node --test in tests/): every export and error, the report of the
#      example data against `report --json`, the TypeScript definitions (tsc), and the
#      page in Debian's headless Chromium (playwright-core) with a screenshot in tests/out/,
#      both as a static page (WebAssembly) and served by convolens-server;
#   3. `npm pack` in pkg/, `npm install` of the tarball into a fresh Node project, and a
#      script there that uses both builds;
#   4. the ingest throughput of Node against native, printed (bench/ingest.js).
# Installs what is missing: Node and npm, Chromium (Debian packages), the test-only npm
# packages (tests/package-lock.json). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
log() { printf 'test.sh: %s\n' "$*" >&2; }
t0=$SECONDS
lap() { log "$1 ($((SECONDS - t0)) s so far)"; }

source "$root/bindings-wasm/apt.sh"

command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
node_major=$(node -p 'process.versions.node.split(".")[0]')
if ((node_major < 20)); then
  log "Node $(node --version) is older than 20, which playwright-core needs"
  exit 2
fi
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || apt_install chromium

bash bindings-wasm/build.sh
lap "package built"

(cd bindings-wasm/tests && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
lap "test dependencies installed"

# The identity test runs the report program: build it once here, not inside a test's time.
cargo build --release -q --bin report
# The server-mode dashboard test runs convolens-server (debug: `cargo test --workspace` in
# scripts/test-all.sh has built it already).
cargo build -q -p convolens-server --bin convolens-server
(cd bindings-wasm/tests && node --test --test-reporter=spec --test-concurrency=1)
lap "node and browser tests passed"

# The package as users get it: pack, install the tarball in a fresh project, use it.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(cd bindings-wasm/pkg && npm pack --silent --pack-destination "$work")
log "packed $tarball: $(du -k "$work/$tarball" | cut -f1) KiB"
mkdir "$work/app"
cp examples/data/example.jsonl "$work/app/traffic.jsonl"
cd "$work/app"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$work/$tarball" >/dev/null
cat >use.cjs <<'EOF'
// CommonJS, the Node build.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { Engine, version } = require('convolens');
const engine = new Engine({ time_zone: 'Europe/Madrid', currency: 'EUR' });
const out = engine.ingestJsonl(fs.readFileSync('traffic.jsonl'));
assert.equal(out.errors.length, 0);
const report = engine.report({ last: '30d' });
assert.equal(report.range.days, 30);
assert.ok(report.engagement.active_users > 0 && report.sources.length > 0);
const again = Engine.restore(engine.snapshot());
assert.deepEqual(again.report({ last: '30d' }), report);
assert.throws(() => engine.ingest('{'), (e) => e.name === 'ParseError' && e.line > 0);
console.log(`convolens ${version()} (node build): ${report.engagement.active_users} active users in 30 days`);
EOF
cat >use.mjs <<'EOF'
// ES module, the browser build, initialised from bytes (no fetch in this script).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import init, { Engine } from 'convolens/web';
const wasm = createRequire(import.meta.url).resolve('convolens/web/convolens_bg.wasm');
await init({ module_or_path: fs.readFileSync(wasm) });
const engine = new Engine();
engine.ingestJsonl(fs.readFileSync('traffic.jsonl', 'utf8'));
const report = engine.report();
assert.ok(report.input.lines > 1000);
console.log(`convolens (web build): ${report.input.lines} lines, ${report.sources.length} sources`);
EOF
node use.cjs
node use.mjs
cd "$root"
lap "npm pack and install into a fresh project work"

# Throughput figures for the log (measured, not asserted: timings are no test on a shared
# machine). Node's ingestJsonl against the native core on the example data.
log "ingest throughput: $(node bindings-wasm/bench/ingest.js examples/data/example.jsonl examples/data/config.json 5 2)"
log "all WASM tests passed in $((SECONDS - t0)) s"
