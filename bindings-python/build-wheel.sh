#!/usr/bin/env bash
# Build the Python package's distributions into target/wheels/ (run from anywhere):
#
#   convolens-VERSION-cp39-abi3-manylinux_2_34_x86_64.whl   one wheel for CPython >= 3.9
#   convolens-VERSION.tar.gz                                 the sdist (needs cargo to build)
#
#   bash bindings-python/build-wheel.sh
#
# The wheel is built by maturin in release mode in cargo's target directory (test.sh then
# installs the same build, so CI compiles the extension once) and checked by maturin's
# manylinux audit (`--auditwheel check`): every symbol the extension takes from glibc must
# exist in the glibc of the manylinux tag, and it may link no library outside the manylinux
# policy. maturin tags the wheel with the oldest policy the audit passes. Without zig or a
# manylinux container that is bounded by the glibc the machine links against: Rust's std
# linked on Debian 12 (glibc 2.36) needs glibc 2.34 (`__libc_start_main@GLIBC_2.34` and
# friends), so the tag here is manylinux_2_34. CONVOLENS_MANYLINUX asks for a tag (say,
# manylinux_2_17 inside a manylinux2014 container), and the build fails if the audit does
# not pass it. Wheels for other platforms: see the README ("Wheels and publishing").
#
# maturin comes from the test virtualenv (target/py-venv, CONVOLENS_VENV), installed there
# when missing. Prints the wheel's path and size.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CONVOLENS_VENV:-$root/target/py-venv}"
py="$venv/bin/python"
out="${CARGO_TARGET_DIR:-$root/target}/wheels"
compat=()
if [ -n "${CONVOLENS_MANYLINUX:-}" ]; then compat=(--compatibility "$CONVOLENS_MANYLINUX"); fi

if [ ! -x "$py" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
"$py" -c 'import maturin' 2>/dev/null ||
    "$py" -m pip --disable-pip-version-check -q install 'maturin>=1.9.4,<2'

version=$(awk -F'"' '/^\[workspace.package\]/ { w = 1 } w && /^version/ { print $2; exit }' \
    "$root/Cargo.toml")
mkdir -p "$out"
# Old builds of this version would be ambiguous for the tests that pick the wheel up.
rm -f "$out"/convolens-"$version"-*.whl "$out"/convolens-"$version".tar.gz

cd "$root/bindings-python"
"$venv/bin/maturin" build --release --locked --quiet --out "$out" \
    ${compat[@]+"${compat[@]}"} --auditwheel check >&2
# Not `build --sdist`: that builds the wheel once more, from the unpacked sdist, in a
# temporary target directory (a full release build of every crate).
"$venv/bin/maturin" sdist --out "$out" >&2
wheel=$(ls "$out"/convolens-"$version"-cp39-abi3-*.whl)
echo "build-wheel.sh: $wheel ($(wc -c <"$wheel") bytes)" >&2
echo "build-wheel.sh: $out/convolens-$version.tar.gz ($(wc -c <"$out/convolens-$version.tar.gz") bytes)" >&2
