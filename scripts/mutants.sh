#!/usr/bin/env bash
# Mutation score of the rule modules (issue #26): cargo-mutants plants small bugs in the
# rule code (a `<` for a `<=`, a `true` for a condition, a function that returns a default)
# one at a time and runs the fast tests of the `convolens` crate against each; a mutant no
# test fails is "missed": a wrong rule the suite would let through.
#
#   bash scripts/mutants.sh [FILES...]
#
# FILES are paths or globs under core/src (default: the rule modules core/src/billing,
# sources, attribution, engagement and input, plus the pricing timeline and rate cards in
# core/src/model/pricing.rs and rates.rs). A bench-style script, not a CI step: a full run
# takes hours on 2 cores; run it over the files you changed.
#
# Environment:
#   MUTANTS_JOBS=N       parallel builds (default 1; each needs its own copy of the tree)
#   MUTANTS_TIMEOUT=S    seconds before a mutant's test run counts as a timeout (default 240)
#   MUTANTS_BASELINE=run test the unmutated tree first (default skip: the suite is green)
#   MUTANTS_TESTS=...    cargo test target selection (default below: the unit tests and the
#                        fast integration tests; the slow proptests and the example-data
#                        scale tests are left out)
#   MUTANTS_SKIP=...     test name filters the test binaries skip (default tests::expiry: the
#                        engine-against-engine expiry proptests, 2/3 of the unit tests' time
#                        and no rule of their own; empty: skip none)
#   MUTANTS_OUT=DIR      where cargo-mutants writes mutants.out (default target/mutants)
#   MUTANTS_RE=REGEX     only the mutants whose name matches (cargo-mutants --re), e.g. the
#                        rule functions of a file
#   PROPTEST_MAX_SHRINK_ITERS  default 0 here: a mutant a property catches fails at once,
#                        without minutes of shrinking (whether it fails is the same)
#   MUTANTS_NICE=N       scheduling niceness (default 19, polite on a shared machine; on a
#                        busy shared machine nice 19 can starve the run)
#
# Mutants listed in scripts/mutants-equivalent.txt cannot change behaviour (the file says
# why for each); they are excluded from the run.
#
# The last line printed is exactly: mutants: caught=N missed=M timeout=T unviable=U
# The missed mutants are listed above it and in $MUTANTS_OUT/mutants.out/missed.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

version=25.3.1
if ! cargo mutants --version 2>/dev/null | grep -qF "$version"; then
  echo "mutants.sh: installing cargo-mutants $version" >&2
  cargo install cargo-mutants --version "=$version" --locked
fi

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(core/src/billing core/src/sources core/src/attribution core/src/engagement core/src/input
    core/src/model/pricing.rs core/src/model/rates.rs)
fi
args=()
for f in "${files[@]}"; do
  if [ -d "$f" ]; then
    args+=(--file "${f%/}/**/*.rs")
  else
    args+=(--file "$f")
  fi
done

# Equivalent mutants: one `file: description` per line, `#` comments and blank lines
# skipped; excluded by a regular expression on the mutant's name (line numbers left out,
# so the list survives edits above the mutant).
while IFS= read -r line; do
  line=${line%%#*}
  [ -z "${line// /}" ] && continue
  file=${line%%: *}
  what=${line#*: }
  what=$(printf '%s' "$what" | sed -e 's/[[:space:]]*$//' -e 's/[][\.*^$(){}+?|/]/\\&/g')
  args+=(--exclude-re "^${file//./\\.}(:[0-9]+:[0-9]+)?: ${what}\$")
done < scripts/mutants-equivalent.txt

# The tests each mutant runs: the crate's unit tests (with the rule tests of internal
# state in core/src/tests/: billing, sources, engagement, properties, ...) and the
# integration tests that take seconds. Left out: partition.rs and prepared.rs
# (example-data proptests), layers.rs (reads sources, not rules), and by default the unit
# tests named in MUTANTS_SKIP (the expiry proptests).
# They are given as cargo arguments, so each mutant builds only these targets.
tests=${MUTANTS_TESTS:---lib --test bad_input --test fuzz_replay}
read -r -a test_args <<<"$(echo $tests)"
for a in "${test_args[@]}"; do
  args+=("--cargo-arg=$a")
done

[ -n "${MUTANTS_RE:-}" ] && args+=(--re "$MUTANTS_RE")

# Filters for the test binaries, after cargo test's own `--`.
skip=${MUTANTS_SKIP-tests::expiry}
test_bin_args=()
for s in $skip; do
  test_bin_args+=(--skip "$s")
done
[ ${#test_bin_args[@]} -gt 0 ] && test_bin_args=(-- -- "${test_bin_args[@]}")

export PROPTEST_MAX_SHRINK_ITERS=${PROPTEST_MAX_SHRINK_ITERS:-0}

out=${MUTANTS_OUT:-target/mutants}
mkdir -p "$out"
baseline=${MUTANTS_BASELINE:-skip}
set +e
nice -n "${MUTANTS_NICE:-19}" cargo mutants \
  --package convolens \
  --test-package convolens \
  "${args[@]}" \
  --jobs "${MUTANTS_JOBS:-1}" \
  --timeout "${MUTANTS_TIMEOUT:-240}" \
  --baseline "$baseline" \
  --profile mutants \
  --output "$out" \
  --no-shuffle \
  --colors never \
  "${test_bin_args[@]}"
rc=$?
set -e
dir="$out/mutants.out"
count() { if [ -f "$dir/$1.txt" ]; then grep -c . "$dir/$1.txt" || true; else echo 0; fi; }
if [ -s "$dir/missed.txt" ]; then
  echo "missed mutants:"
  sed 's/^/  /' "$dir/missed.txt"
fi
echo "mutants: caught=$(count caught) missed=$(count missed) timeout=$(count timeout) unviable=$(count unviable)"
# cargo-mutants exits 2 when mutants were missed, 3 on timeouts: the line above says so.
case $rc in 0 | 2 | 3) exit 0 ;; *) exit "$rc" ;; esac
