#!/usr/bin/env bash
# Build the npm package `convolens` (run from the repository root) into bindings-wasm/pkg/:
#   convolens_bg.wasm             the module, once, for every entry point
#   convolens.js, convolens.d.ts  Node, CommonJS (`require`): wasm-bindgen's nodejs glue
#   web/convolens.js, .d.ts       browsers and bundlers, ES module with an explicit `init()`
#                                 and no top-level await: wasm-bindgen's web glue, pointed at
#                                 ../convolens_bg.wasm
#   node.mjs, node.d.mts          Node, ES module (`import`): the web glue, initialised
#                                 synchronously from the .wasm (js/node.mjs)
#   package.json, README.md, LICENSE-MIT, LICENSE-APACHE
#   schema/report.schema.json, schema/config.schema.json   the JSON Schemas (../schema/)
# package.json's `exports` sends each environment to its entry (see the README).
#
# Installs what is missing, quietly and idempotently:
#   - Debian's rustc-web, cargo-web, rust-web-src and lld (rustup cannot add the
#     wasm32-unknown-unknown target here), used through /usr/bin/cargo with
#     -Zbuild-std so std is rebuilt for wasm with the size profile;
#   - binaryen (wasm-opt), optional: the build goes on without it;
#   - wasm-bindgen-cli at exactly the version of the `wasm-bindgen` crate in Cargo.lock.
#
# Environment:
#   CONVOLENS_WASM_TARGET_DIR  cargo target dir of the wasm build
#                              (default ${CARGO_TARGET_DIR:-target}/wasm-build)
#   CONVOLENS_WASM_FORCE=1     redo the post-link steps even if the wasm did not change
set -euo pipefail

root=$(pwd)
if [[ ! -f "$root/bindings-wasm/Cargo.toml" ]]; then
  echo "build.sh: run me from the repository root" >&2
  exit 2
fi
crate_dir="$root/bindings-wasm"
pkg="$crate_dir/pkg"
target_dir=${CONVOLENS_WASM_TARGET_DIR:-${CARGO_TARGET_DIR:-$root/target}/wasm-build}
log() { printf 'build.sh: %s\n' "$*" >&2; }

# --- toolchain ------------------------------------------------------------------------
source "$root/bindings-wasm/apt.sh"
apt_install rustc-web cargo-web rust-web-src lld
apt_install binaryen || log "binaryen unavailable: the wasm will not be run through wasm-opt"

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
  "$root/Cargo.lock")
if [[ -z $bindgen_version ]]; then
  log "no wasm-bindgen in Cargo.lock"
  exit 1
fi
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if [[ $(wasm-bindgen --version 2>/dev/null) != "wasm-bindgen $bindgen_version" ]]; then
  log "installing wasm-bindgen-cli $bindgen_version"
  # A build tool, not shipped code: a quick, parallel build (no LTO, many codegen units,
  # opt-level 1) halves its compile time on a 2-core machine. Config profile settings
  # given as environment variables take precedence over the crate's own.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=false \
    cargo install -q --force wasm-bindgen-cli --version "=$bindgen_version"
fi

# --- compile --------------------------------------------------------------------------
# Debian's toolchain, not rustup's: RUSTC must point at it too, or /usr/bin/cargo would
# pick the rustup `rustc` from PATH (which has no wasm std sources).
# -Cpanic=immediate-abort: a panic traps at once instead of formatting a message nobody
# reads (no panic hook is installed, and the core returns errors rather than panicking);
# it drops the panic machinery, 52 kB raw / 19 kB gzipped. -Zlocation-detail=none: nor
# the file, line and column of each call that might panic (2 kB raw). The profile
# (wasm-release, root Cargo.toml) is opt-level "z": 13% smaller, ingest slower (see there).
# The core's `compact` feature (bindings-wasm/Cargo.toml) is on for this target: the
# compact zone table, one JSON reader and one `Doc` parser (README, "Figures").
# std's `optimize_for_size`: its smaller sorts (insertion and heap sort instead of
# driftsort and ipnsort, same results for the stable sorts; the core's unstable sorts have
# no distinguishable ties), float parsing without the fast path (the same, correctly
# rounded values) and integer formatting: 15 kB gzipped.
# sha2_backend_soft="compact": sha2's software SHA-256 as a loop over the 64 rounds
# instead of unrolled (the same hashes; the audience export and pseudonyms hash little).
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
  RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none --cfg sha2_backend_soft=\"compact\"" \
  /usr/bin/cargo build -q --profile wasm-release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size -p convolens-wasm \
  --target-dir "$target_dir"
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/convolens_wasm.wasm"

fresh=1
for f in "$wasm" "$crate_dir/package.json" "$crate_dir/README.md" "$crate_dir/js/node.mjs" \
  "$crate_dir/js/node.d.mts" "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$0" \
  "$root/schema/report.schema.json" "$root/schema/config.schema.json"; do
  [[ -f $pkg/node.mjs && $pkg/node.mjs -nt $f ]] || fresh=0
done
if [[ -z ${CONVOLENS_WASM_FORCE:-} && $fresh == 1 ]]; then
  log "pkg/ is up to date"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  input=$wasm
  # Optimise before wasm-bindgen: Debian's binaryen (108) cannot parse the `table.fill`
  # wasm-bindgen's externref glue emits, but reads rustc's output and keeps the custom
  # sections wasm-bindgen needs. The result is checked by running wasm-bindgen on it.
  # --converge repeats -Oz while the module shrinks (3 kB gzipped, 30 s more).
  # --low-memory-unused lets binaryen fold constant offsets into loads and stores, as
  # if no pointer were below 1 KiB (7 kB gzipped). rustc puts the 1 MiB stack first and
  # its data above it, so only a stack within 1 KiB of overflowing reaches that low; a
  # deeper one traps below address 0 either way (serde_json's recursion limit, 128,
  # keeps the deepest parse far from it).
  if command -v wasm-opt >/dev/null; then
    if wasm-opt -Oz --converge --low-memory-unused --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
      --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue \
      "$wasm" -o "$work/opt.wasm" 2>"$work/opt.log"; then
      input="$work/opt.wasm"
    else
      log "wasm-opt failed (skipped): $(head -c 300 "$work/opt.log")"
    fi
  fi
  rm -rf "$pkg"
  mkdir -p "$pkg/web"
  wasm-bindgen --target nodejs --weak-refs --out-name convolens --out-dir "$pkg" "$input"
  wasm-bindgen --target web --weak-refs --out-name convolens --out-dir "$work/web" "$input"
  # One .wasm for all entries: both targets import from the same module names, so
  # wasm-bindgen writes the same bytes for both (checked: a later version that does not
  # must fail here, not ship a mismatched pair).
  if ! cmp -s "$pkg/convolens_bg.wasm" "$work/web/convolens_bg.wasm"; then
    log "the nodejs and web targets' .wasm differ: the package cannot share one"
    exit 1
  fi
  cp "$work/web/convolens.js" "$work/web/convolens.d.ts" "$pkg/web/"
  # The web glue's default location of the module: beside it -> one directory up. Bundlers
  # follow this `new URL(literal, import.meta.url)` and emit the .wasm as an asset.
  sed -i "s|new URL('convolens_bg.wasm', import.meta.url)|new URL('../convolens_bg.wasm', import.meta.url)|" \
    "$pkg/web/convolens.js"
  if [[ $(grep -c "new URL('../convolens_bg.wasm', import.meta.url)" "$pkg/web/convolens.js") != 1 ||
    $(grep -c "_bg.wasm'" "$pkg/web/convolens.js") != 1 ]]; then
    log "web/convolens.js: could not point the glue at ../convolens_bg.wasm"
    exit 1
  fi
  # Types of the raw wasm exports: no entry refers to them.
  rm -f "$pkg/convolens_bg.wasm.d.ts"
  # The error classes (src/errors.js, ES module syntax; declared in src/types.d.ts) appended
  # to both entry modules and exported from them; the CommonJS copy drops `export` and
  # assigns `module.exports`. node.mjs re-exports the web module, classes included.
  errors="$crate_dir/src/errors.js"
  classes="ConvolensError ParseError ConfigError ReportError SnapshotError"
  cat "$errors" >>"$pkg/web/convolens.js"
  sed 's/^export class /class /' "$errors" >>"$pkg/convolens.js"
  for c in $classes; do printf 'module.exports.%s = %s;\n' "$c" "$c" >>"$pkg/convolens.js"; done
  # The web build is ES modules inside a CommonJS package.
  printf '{ "type": "module" }\n' >"$pkg/web/package.json"
  cp "$crate_dir/js/node.mjs" "$crate_dir/js/node.d.mts" "$pkg/"
  version=$(awk -F'"' '/^\[workspace.package\]/ { w = 1 } w && /^version/ { print $2; exit }' \
    "$root/Cargo.toml")
  sed "s/\"version\": \"[^\"]*\"/\"version\": \"$version\"/" "$crate_dir/package.json" >"$pkg/package.json"
  cp "$crate_dir/README.md" "$pkg/README.md"
  cp "$root/LICENSE-MIT" "$root/LICENSE-APACHE" "$pkg/"
  mkdir -p "$pkg/schema"
  cp "$root/schema/report.schema.json" "$root/schema/config.schema.json" "$pkg/schema/"
fi

raw=$(wc -c <"$pkg/convolens_bg.wasm")
gz=$(gzip -9c "$pkg/convolens_bg.wasm" | wc -c)
log "$(printf 'pkg/convolens_bg.wasm: %d bytes raw, %d bytes gzipped' "$raw" "$gz")"
