#!/usr/bin/env bash
# Run every test suite: Rust (core, examples, bindings on the host), Python, WASM/Node
# and the browser page. Installs what is missing. Exits non-zero on any failure.
# Usage (from anywhere): bash scripts/test-all.sh
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }
fail=0
run() {
  local name=$1; shift
  step "$name"
  if "$@"; then echo "--- $name: ok"; else echo "--- $name: FAILED"; fail=1; fi
}

command -v cargo >/dev/null || { echo "cargo is required (rustup)"; exit 2; }
# A clean clone builds everything once: incremental caches only cost disk there.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi
df -h . | tail -1 | awk '{print "disk free before the suites: " $4}'

run "rustfmt" cargo fmt --all -- --check
run "clippy" cargo clippy --workspace --all-targets -q -- -D warnings
# The WASM build's `compact` path (zone table, one JSON reader) is not compiled above.
run "clippy (core, compact)" cargo clippy -p convolens --features compact --all-targets -q -- -D warnings
run "cargo test (workspace)" cargo test --workspace -q
run "crate package: licences and metadata" bash scripts/check-crate-package.sh
# The bindings' type files are generated from schema/*.schema.json (core/tests/schema.rs
# checks the schemas against the Rust types).
run "generated type files are current" python3 tools/gen-types.py --check
# The report program on the bundled example data must run cleanly.
run "report on example data" bash -c 'cargo run --release -q --bin report -- --json --config examples/data/config.json examples/data/example.jsonl > /dev/null'
[ -f bindings-python/test.sh ] && run "python package" bash bindings-python/test.sh
[ -f bindings-wasm/test.sh ] && run "wasm package and web page" bash bindings-wasm/test.sh

if [ "$fail" -ne 0 ]; then
  echo; echo "SOME SUITES FAILED"; exit 1
fi
echo; echo "all suites passed"
