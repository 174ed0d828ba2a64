#!/usr/bin/env bash
# Build the npm package `convolens` (run from the repository root):
#   bindings-wasm/pkg/      Node, CommonJS  (require('./bindings-wasm/pkg'))
#   bindings-wasm/pkg/web/  browsers, ES module with an explicit `init()` (no top-level await)
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
RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld \
  /usr/bin/cargo build -q --profile wasm-release --target wasm32-unknown-unknown \
  -Zbuild-std=std,panic_abort -p convolens-wasm --target-dir "$target_dir"
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/convolens_wasm.wasm"

if [[ -z ${CONVOLENS_WASM_FORCE:-} && -f $pkg/convolens_bg.wasm && -f $pkg/web/convolens_bg.wasm \
  && $pkg/convolens_bg.wasm -nt $wasm && $pkg/package.json -nt $crate_dir/package.json
  && $pkg/README.md -nt $crate_dir/README.md ]]; then
  log "pkg/ is up to date"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  input=$wasm
  # Optimise before wasm-bindgen: Debian's binaryen (108) cannot parse the `table.fill`
  # wasm-bindgen's externref glue emits, but reads rustc's output and keeps the custom
  # sections wasm-bindgen needs. The result is checked by running wasm-bindgen on it.
  if command -v wasm-opt >/dev/null; then
    if wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-mutable-globals \
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
  wasm-bindgen --target web --weak-refs --out-name convolens --out-dir "$pkg/web" "$input"
  # The error classes (src/errors.js, ES module syntax; declared in src/types.d.ts) appended
  # to both entry modules and exported from them; the CommonJS copy drops `export` and
  # assigns `module.exports`.
  errors="$crate_dir/src/errors.js"
  classes="ConvolensError ParseError ConfigError ReportError SnapshotError"
  cat "$errors" >>"$pkg/web/convolens.js"
  sed 's/^export class /class /' "$errors" >>"$pkg/convolens.js"
  for c in $classes; do printf 'module.exports.%s = %s;\n' "$c" "$c" >>"$pkg/convolens.js"; done
  # The web build is ES modules inside a CommonJS package.
  printf '{ "type": "module" }\n' >"$pkg/web/package.json"
  version=$(awk -F'"' '/^\[workspace.package\]/ { w = 1 } w && /^version/ { print $2; exit }' \
    "$root/Cargo.toml")
  sed "s/\"version\": \"[^\"]*\"/\"version\": \"$version\"/" "$crate_dir/package.json" >"$pkg/package.json"
  cp "$crate_dir/README.md" "$pkg/README.md"
fi

raw=$(wc -c <"$pkg/convolens_bg.wasm")
gz=$(gzip -9c "$pkg/convolens_bg.wasm" | wc -c)
log "$(printf 'pkg/convolens_bg.wasm: %d bytes raw, %d bytes gzipped' "$raw" "$gz")"
