"""The distributions `build-wheel.sh` writes to target/wheels/ (test.sh builds them first):

- the wheel installs into a fresh virtualenv whose PATH has no cargo, rustc or rustup --
  pip may neither build nor download anything (`--no-index --no-deps --only-binary`) --
  and there imports, ingests the example data and reports exactly what the `report`
  program reports;
- the wheel is one abi3 manylinux wheel carrying both licence files and the package's
  metadata (licence expression, classifiers, keywords, README), and the typing files;
- the sdist carries the licences and the Rust sources it builds from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Dict, List

import pytest

from conftest import EXAMPLE, EXAMPLE_CONFIG, ROOT, run_cli

TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
WHEELS = TARGET / "wheels"
VERSION = next(
    line.split('"')[1]
    for line in (ROOT / "Cargo.toml").read_text().split("[workspace.package]")[1].splitlines()
    if line.startswith("version")
)
LICENCES = ("LICENSE-MIT", "LICENSE-APACHE")

SMOKE = r"""
import json, shutil, sys
import convolens
assert shutil.which("cargo") is None and shutil.which("rustc") is None, "a Rust toolchain is on PATH"
engine = convolens.Engine.from_config_file(sys.argv[1])
out = engine.ingest_jsonl(sys.argv[2])
assert not out["errors"], out["errors"][:3]
print(json.dumps({"file": convolens.__file__, "version": convolens.__version__,
                  "report": engine.report()}))
"""


def one(pattern: str) -> Path:
    found = sorted(WHEELS.glob(pattern))
    assert len(found) == 1, (
        f"expected one {pattern} in {WHEELS}, found {[f.name for f in found]}: "
        "run bash bindings-python/build-wheel.sh (test.sh does)"
    )
    return found[0]


@pytest.fixture(scope="module")
def wheel() -> Path:
    return one(f"convolens-{VERSION}-cp39-abi3-manylinux_*_x86_64.whl")


@pytest.fixture(scope="module")
def sdist() -> Path:
    return one(f"convolens-{VERSION}.tar.gz")


def no_rust_path(venv: Path) -> str:
    """PATH for the fresh venv: its own bin only. (/usr/bin, and /bin with it on a merged-
    /usr system, may hold Debian's cargo and rustc, and ~/.cargo/bin rustup's.)"""
    return str(venv / "bin")


def test_wheel_installs_and_reports_without_cargo(tmp_path: Path, wheel: Path) -> None:
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CARGO", "RUSTUP", "PYTHON", "VIRTUAL_ENV", "PIP_"))}
    env["PATH"] = no_rust_path(venv)
    env["CARGO_HOME"] = env["RUSTUP_HOME"] = str(tmp_path / "no-rust-here")
    # This process sees a cargo (the one `report` runs with below); the fresh venv's
    # environment does not, not even through a shell.
    assert shutil.which("cargo") is not None
    probe = subprocess.run(["/bin/sh", "-c", "command -v cargo rustc rustup"], env=env,
                           capture_output=True, text=True, check=False)
    assert probe.returncode != 0 and probe.stdout == "", probe.stdout
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "install", "--no-index",
         "--no-deps", "--only-binary=:all:", str(wheel)],
        env=env, capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    run = subprocess.run(
        [str(python), "-c", SMOKE, str(EXAMPLE_CONFIG), str(EXAMPLE)],
        env=env, capture_output=True, text=True, check=False, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    # The installed copy ran, not the repository's sources.
    assert Path(got["file"]).resolve().is_relative_to(venv.resolve()), got["file"]
    assert got["version"] == VERSION
    # The same report as the native program on the same data and configuration.
    expected = run_cli("--config", str(EXAMPLE_CONFIG), str(EXAMPLE))["json"]
    assert got["report"] == expected
    assert got["report"]["input"]["lines"] > 10000


def metadata_of(zf: zipfile.ZipFile) -> Dict[str, List[str]]:
    msg = Parser().parsestr(zf.read(f"convolens-{VERSION}.dist-info/METADATA").decode())
    return {k: msg.get_all(k) or [] for k in set(msg.keys())} | {"body": [msg.get_payload()]}


def test_wheel_contents_and_metadata(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"convolens-{VERSION}.dist-info"
        for licence in LICENCES:
            assert f"{info}/licenses/{licence}" in names, sorted(names)
        assert b"Permission is hereby granted" in zf.read(f"{info}/licenses/LICENSE-MIT")
        assert b"Apache License" in zf.read(f"{info}/licenses/LICENSE-APACHE")
        # The extension (abi3: no Python version in its name), the Python sources, stubs.
        assert "convolens/_native.abi3.so" in names, sorted(names)
        for f in ("__init__.py", "spark.py", "frames.py", "types.py", "_native.pyi", "py.typed",
                  "schema/report.schema.json", "schema/config.schema.json"):
            assert f"convolens/{f}" in names, f
        # No build leftovers: only the package and its metadata.
        assert {n.split("/")[0] for n in names} == {"convolens", info}
        wheel_file = zf.read(f"{info}/WHEEL").decode()
        assert "Root-Is-Purelib: false" in wheel_file
        assert "Tag: cp39-abi3-manylinux_" in wheel_file
        meta = metadata_of(zf)
    assert meta["Name"] == ["convolens"] and meta["Version"] == [VERSION]
    assert meta["License-Expression"] == ["MIT OR Apache-2.0"]
    assert sorted(meta["License-File"]) == sorted(LICENCES)
    assert meta["Requires-Python"] == [">=3.9"]
    assert "Programming Language :: Rust" in meta["Classifier"]
    assert "Typing :: Typed" in meta["Classifier"]
    assert not [c for c in meta["Classifier"] if c.startswith("License ::")], \
        "the licence is the SPDX expression, not a classifier"
    assert "whatsapp" in meta["Keywords"][0].split(",")
    assert meta["Description-Content-Type"][0].startswith("text/markdown"), meta
    assert meta["body"][0].startswith("# convolens for Python")
    # The extras users install by name.
    extras = set(meta["Provides-Extra"])
    assert {"pandas", "polars", "spark"} <= extras, extras


def test_classifiers_are_trove_classifiers(wheel: Path) -> None:
    """Every classifier is one of PyPI's (an unknown one makes an upload fail)."""
    trove = pytest.importorskip(
        "trove_classifiers", reason="trove-classifiers is not installed (test.sh installs it)")
    with zipfile.ZipFile(wheel) as zf:
        classifiers = metadata_of(zf)["Classifier"]
    assert len(classifiers) >= 10
    unknown = [c for c in classifiers if c not in trove.classifiers]
    assert unknown == []


def test_sdist_contents(sdist: Path) -> None:
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
        top = f"convolens-{VERSION}"
        for licence in LICENCES:
            assert licence in names or f"bindings-python/{licence}" in names, sorted(names)[:40]
        member = next(m for m in tf.getmembers() if m.name.endswith("LICENSE-MIT"))
        assert member.isfile(), "a licence must be a file in the sdist, not a link"
        pkg_info = Parser().parsestr(tf.extractfile(f"{top}/PKG-INFO").read().decode())
    assert pkg_info["License-Expression"] == "MIT OR Apache-2.0"
    # What a build from the sdist needs: the pyproject, the binding's and the core's sources.
    assert any(n.endswith("pyproject.toml") for n in names)
    assert any(n.endswith("core/src/lib.rs") for n in names), sorted(names)[:40]
    assert any(n.endswith("bindings-python/src/lib.rs") for n in names)
    assert any(n.endswith("Cargo.lock") for n in names)

