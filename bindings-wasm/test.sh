#!/usr/bin/env bash
# Test the npm package `convolens` and the dashboard page (scripts/test-all.sh runs this):
#   1. build pkg/ (build.sh installs the wasm toolchain when missing);
#   2. the Node tests (node --test in tests/): every export and error, the report of the
#      example data against `report --json`, DST edges and every zone name against Node's
#      ICU (zones.test.js), the TypeScript definitions (tsc), the dashboard in Debian's
#      headless Chromium (playwright-core; browser.test.js: every view and control against
#      `report --json`, the ingest worker, IndexedDB restore, 390 px; screenshots in
#      tests/out/), both as a static page (WebAssembly) and served by convolens-server
#      (server-dashboard.test.js), and the package as users get it
#      (package.test.js): `npm pack`, `npm install` of the tarball into a fresh project,
#      Node `require` and `import`, and a page bundled by Vite and by esbuild run in
#      Chromium;
#   3. the ingest throughput of Node against native, printed (bench/ingest.js).
# Installs what is missing: Node and npm, Chromium (Debian packages), the test-only npm
# packages (tests/package-lock.json: playwright-core, typescript, vite, esbuild). Run from
# anywhere.
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

# The identity and dashboard tests run the report program: build it once here, not inside a
# test's time.
cargo build --release -q --bin report
# The server-mode dashboard test runs convolens-server (debug: `cargo test --workspace` in
# scripts/test-all.sh has built it already).
cargo build -q -p convolens-server --bin convolens-server
(cd bindings-wasm/tests && node --test --test-reporter=spec --test-concurrency=1)
lap "node, browser and package tests passed"

# Throughput figures for the log (measured, not asserted: timings are no test on a shared
# machine). Node's ingestJsonl against the native core on the example data.
log "ingest throughput: $(node bindings-wasm/bench/ingest.js examples/data/example.jsonl examples/data/config.json 5 2)"
log "all WASM tests passed in $((SECONDS - t0)) s"
