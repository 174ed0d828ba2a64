#!/usr/bin/env bash
# Build the convolens Python package into a virtualenv and run its pytest suite.
#
#   bash bindings-python/test.sh [PYTEST ARGS...]      (from anywhere)
#
# Needs only cargo and python3 (>= 3.9, with venv and pip). The virtualenv lives in
# target/py-venv (override with CONVOLENS_VENV) and is reused; pip installs pytest,
# maturin (the build backend) and trove-classifiers into it once. `pip install
# ./bindings-python` then installs the package from source into target/py-venv without
# build isolation (a release build in cargo's target directory), and build-wheel.sh builds
# the audited abi3 wheel and the sdist into target/wheels/ from that same build, so the
# extension is compiled once (tests/test_wheel.py installs the wheel into a fresh
# virtualenv without cargo).
#
# Optional packages, installed when pip can get them within a short time (set
# CONVOLENS_PY_EXTRAS=0 to skip trying): pandas and polars (the DataFrame helpers),
# matplotlib (examples/notebook.py), mypy (stub and type checks). Their tests skip when a
# package is missing, except that with CI set pandas and matplotlib are required.
# Exits non-zero when the build fails, a test fails, or no test ran.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CONVOLENS_VENV:-$root/target/py-venv}"
py="$venv/bin/python"

if [ ! -x "$py" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
# The build hook runs `maturin` by name: the venv's bin comes first on PATH.
export PATH="$venv/bin:$PATH"
pip() { "$py" -m pip --disable-pip-version-check -q "$@"; }

"$py" -c 'import pytest' 2>/dev/null || pip install 'pytest>=7'
"$py" -c 'import maturin' 2>/dev/null || pip install 'maturin>=1.9.4,<2'
"$py" -c 'import trove_classifiers' 2>/dev/null || pip install trove-classifiers
if [ "${CONVOLENS_PY_EXTRAS:-1}" != 0 ]; then
    for extra in pandas matplotlib polars mypy; do
        "$py" -c "import $extra" 2>/dev/null ||
            timeout 300 "$py" -m pip --disable-pip-version-check -q install --only-binary=:all: "$extra" ||
            echo "test.sh: $extra not installed; its tests will skip" >&2
    done
    if [ -n "${CI:-}" ]; then
        for required in pandas matplotlib; do
            "$py" -c "import $required" 2>/dev/null || {
                echo "test.sh: CI is set and $required could not be installed" >&2
                exit 1
            }
        done
    fi
fi

# Spark (tests/test_spark.py, a few minutes) runs in local mode on the machine's Java, as a
# classic session and as Spark Connect (pyspark 4 bundles the Connect server; its client
# needs pandas, pyarrow and grpcio: the `connect` extra); skipped without Java.
if command -v java >/dev/null 2>&1; then
    "$py" -c 'import pyspark, pyarrow, grpc, google.rpc, pandas' 2>/dev/null ||
        pip install 'pyspark[connect]>=4' ||
        echo "test.sh: could not install pyspark; test_spark.py will try again and fail" >&2
else
    echo "test.sh: no java on PATH: the Spark tests (tests/test_spark.py) will be SKIPPED" >&2
fi

echo "test.sh: building and installing ./bindings-python" >&2
pip install --no-build-isolation --force-reinstall --no-deps "$root/bindings-python"
# Second, so it also clears the linux_x86_64 wheel maturin's PEP 517 build leaves in
# target/wheels/ (that one has no manylinux audit); it reuses the release build above.
echo "test.sh: building the wheel and the sdist (build-wheel.sh)" >&2
CONVOLENS_VENV="$venv" bash "$root/bindings-python/build-wheel.sh"

cd "$root"
set +e
"$py" -m pytest -p no:cacheprovider -rs bindings-python/tests "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "test.sh: pytest collected no tests" >&2
    exit 1
fi
exit "$rc"
