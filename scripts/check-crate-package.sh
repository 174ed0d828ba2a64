#!/usr/bin/env bash
# The crate `convolens` as `cargo package` would publish it (nothing is published): it
# carries both licence files and the README, and its manifest has the metadata a registry
# shows (description, licence, keywords, categories, documentation, readme) and no
# placeholder repository URL. Exits non-zero, naming what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(cargo package --list -p convolens --allow-dirty --offline 2>/dev/null ||
  cargo package --list -p convolens --allow-dirty)
fail=0
for f in LICENSE-MIT LICENSE-APACHE README.md Cargo.toml src/lib.rs; do
  grep -qx "$f" <<<"$files" || { echo "check-crate-package: $f is not in the package" >&2; fail=1; }
done
# The files are links to the root's copies: the package must hold their text.
grep -q "Permission is hereby granted" core/LICENSE-MIT || fail=1
grep -q "Apache License" core/LICENSE-APACHE || fail=1
meta=$(cargo metadata --format-version 1 --no-deps --offline 2>/dev/null || cargo metadata --format-version 1 --no-deps)
python3 - "$meta" <<'PY' || fail=1
import json, sys
pkg = next(p for p in json.loads(sys.argv[1])["packages"] if p["name"] == "convolens")
problems = []
for key in ("description", "license", "documentation", "readme"):
    if not pkg.get(key):
        problems.append(f"no {key}")
if pkg.get("license") != "MIT OR Apache-2.0":
    problems.append(f"license is {pkg.get('license')!r}")
if not 1 <= len(pkg["keywords"]) <= 5 or not 1 <= len(pkg["categories"]) <= 5:
    problems.append(f"keywords {pkg['keywords']}, categories {pkg['categories']} (1 to 5 each)")
if pkg.get("repository") and "invalid" in pkg["repository"]:
    problems.append(f"placeholder repository {pkg['repository']}")
for p in problems:
    print(f"check-crate-package: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
if [ "$fail" -ne 0 ]; then exit 1; fi
echo "check-crate-package: convolens carries LICENSE-MIT, LICENSE-APACHE, README.md and its metadata"
