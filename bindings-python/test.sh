#!/usr/bin/env bash
# Build the convolens Python package into a virtualenv and run its pytest suite.
#
#   bash bindings-python/test.sh [PYTEST ARGS...]      (from the repository root)
#
# Needs only cargo, python3 (with venv) and pip: pip fetches maturin, the build backend.
# The virtualenv lives in target/py-venv (override with CONVOLENS_VENV) and is reused.
# pandas, polars, matplotlib (for the notebook) and mypy (for stubtest) are installed when pip can get them within a
# short time; their tests skip otherwise (CONVOLENS_PY_EXTRAS=0 skips trying). Exits non-zero when the
# build fails, a test fails, or no test ran.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${CONVOLENS_VENV:-$root/target/py-venv}"
py="$venv/bin/python"

if [ ! -x "$py" ]; then
    "${PYTHON:-python3}" -m venv "$venv"
fi
pip() { "$py" -m pip --disable-pip-version-check -q "$@"; }

"$py" -c 'import pytest' 2>/dev/null || pip install 'pytest>=7'
if [ "${CONVOLENS_PY_EXTRAS:-1}" != 0 ]; then
    for extra in pandas polars mypy matplotlib; do
        "$py" -c "import $extra" 2>/dev/null ||
            timeout 300 "$py" -m pip --disable-pip-version-check -q install --only-binary=:all: "$extra" ||
            echo "test.sh: $extra not installed; its tests will skip" >&2
    done
fi

# Spark (tests/test_spark.py, a few minutes) runs in local mode on the machine's Java; skipped without.
if command -v java >/dev/null 2>&1; then
    "$py" -c 'import pyspark' 2>/dev/null || pip install 'pyspark>=3.5' ||
        echo "test.sh: could not install pyspark; test_spark.py will try again and fail" >&2
else
    echo "test.sh: no java on PATH: the Spark tests (tests/test_spark.py) will be SKIPPED" >&2
fi

echo "test.sh: building and installing ./bindings-python" >&2
pip install --force-reinstall --no-deps "$root/bindings-python"

cd "$root"
set +e
"$py" -m pytest -p no:cacheprovider bindings-python/tests "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
    echo "test.sh: pytest collected no tests" >&2
    exit 1
fi
exit "$rc"
