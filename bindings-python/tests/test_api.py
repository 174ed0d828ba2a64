"""The package surface: docstrings, type stubs, threads and the GIL."""

import ast
import inspect
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import convolens
from conftest import OUTBOUND

PKG = Path(convolens.__file__).parent
PUBLIC_METHODS = [name for name in dir(convolens.Engine) if not name.startswith("_")]


def test_public_surface():
    assert sorted(PUBLIC_METHODS) == sorted([
        "can_send_free_form", "capi_events", "config", "contacts_frame", "expire", "expired",
        "export_contacts",
        "forget", "from_config_file", "ingest",
        "ingest_jsonl", "ingest_many", "max_document_bytes", "merge", "report", "report_json",
        "restore", "rows", "snapshot", "to_pandas", "to_polars",
    ])
    assert convolens.__version__.count(".") == 2


@pytest.mark.parametrize("name", PUBLIC_METHODS)
def test_every_method_has_a_docstring(name):
    doc = getattr(convolens.Engine, name).__doc__
    assert doc and len(doc.strip()) > 30, name


@pytest.mark.parametrize("name", [n for n in dir(convolens.FreeFormWindow)
                                  if not n.startswith("_")])
def test_every_window_attribute_has_a_docstring(name):
    doc = getattr(convolens.FreeFormWindow, name).__doc__
    assert doc and len(doc.strip()) > 20, name
    assert "customer service window" in convolens.FreeFormWindow.__doc__


def test_module_functions_have_docstrings():
    for fn in (convolens.to_pandas, convolens.to_polars, convolens.to_records,
               convolens.tables, convolens.frames.section):
        assert fn.__doc__ and len(fn.__doc__.strip()) > 30
    assert "Engine" in convolens.__doc__


def test_help_is_useful():
    text = inspect.getdoc(convolens.Engine)
    assert "webhook" in text and "config" in text
    # Every report option is spelled in the signature, keyword-only after start and end.
    sig = inspect.signature(convolens.Engine.report)
    assert list(sig.parameters) == [
        "self", "start", "end", "last", "phone", "model", "time_zone", "compare",
        "compare_models", "conversion_event", "options"]
    kinds = {n: p.kind for n, p in sig.parameters.items()}
    assert kinds["start"] == inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(kinds[n] == inspect.Parameter.KEYWORD_ONLY
               for n in ("last", "phone", "model", "time_zone", "compare", "compare_models",
                         "conversion_event"))
    assert sig.parameters["compare"].default is False
    for method in (convolens.Engine.rows, convolens.Engine.contacts_frame,
                   convolens.Engine.report_json):
        params = inspect.signature(method).parameters
        assert params["phone"].kind == inspect.Parameter.KEYWORD_ONLY, method
    for option in ("last", "phone", "model", "time_zone", "compare", "compare_models",
                   "ReportError", "billing", "convolens.types"):
        assert option in convolens.Engine.report.__doc__


def test_package_is_typed():
    assert (PKG / "py.typed").exists()
    assert (PKG / "_native.pyi").exists()


def test_stub_names_match_the_runtime():
    tree = ast.parse((PKG / "_native.pyi").read_text())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    stub_methods = {n.name for n in classes["Engine"].body if isinstance(n, ast.FunctionDef)}
    runtime = {n for n in dir(convolens.Engine) if not n.startswith("_")}
    runtime |= {"__new__", "__reduce__"}
    assert stub_methods == runtime
    for exc in ("ConvolensError", "ParseError", "ConfigError", "ReportError", "SnapshotError"):
        assert exc in classes
    window = {n.name for n in classes["FreeFormWindow"].body if isinstance(n, ast.FunctionDef)}
    assert window - {"__bool__", "__eq__"} == {
        n for n in dir(convolens.FreeFormWindow) if not n.startswith("_")}
    # Every stub signature names the runtime's parameters, in order; where the runtime
    # takes **options, the stub may spell out known options as keyword-only parameters.
    for fn in classes["Engine"].body:
        # `@property`, or the `@name.setter` of a settable one.
        is_property = isinstance(fn, ast.FunctionDef) and any(
            (isinstance(d, ast.Name) and d.id == "property")
            or (isinstance(d, ast.Attribute) and d.attr == "setter")
            for d in fn.decorator_list)
        if is_property:
            assert isinstance(getattr(convolens.Engine, fn.name), property) or \
                type(getattr(convolens.Engine, fn.name)).__name__ == "getset_descriptor", fn.name
        elif isinstance(fn, ast.FunctionDef) and fn.name not in ("__new__", "__reduce__"):
            params = inspect.signature(getattr(convolens.Engine, fn.name)).parameters
            stub = [a.arg for a in fn.args.args + fn.args.kwonlyargs]
            if fn.args.kwarg:
                stub.append(fn.args.kwarg.arg)
            runtime = list(params)
            assert [p for p in stub if p in runtime] == runtime, fn.name
            if not any(p.kind == p.VAR_KEYWORD for p in params.values()):
                assert stub == runtime, fn.name


def test_stubtest(tmp_path):
    pytest.importorskip("mypy")
    out = subprocess.run([sys.executable, "-m", "mypy.stubtest", "convolens._native"],
                         capture_output=True, text=True,
                         env=dict(os.environ, MYPY_CACHE_DIR=str(tmp_path)))
    assert out.returncode == 0, out.stdout + out.stderr


def test_threads_share_one_engine():
    engine = convolens.Engine()

    def work(k):
        engine.ingest_many(dict(OUTBOUND, id=f"w{k}.{i}") for i in range(2000))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert engine.report()["input"]["records"] == {"outbound": 8000}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_gil_is_released_while_ingesting(tmp_path):
    # A thread ingests from a named pipe: opening and reading it blocks inside Rust until
    # the main thread writes. If the GIL were held there, the main thread could never run
    # to write, and the child process would hang until the timeout.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    script = textwrap.dedent(f"""
        import threading, convolens
        engine = convolens.Engine()
        result = {{}}
        t = threading.Thread(target=lambda: result.update(engine.ingest_jsonl({str(fifo)!r})))
        t.start()
        with open({str(fifo)!r}, "w") as f:
            f.write('{{"type":"outbound","id":"w1","to":"1","timestamp":1751400000}}\\n')
        t.join()
        print(result["outcome"]["ingested"])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "1", out.stderr


def test_package_type_checks(tmp_path):
    pytest.importorskip("mypy")
    source = Path(__file__).resolve().parents[1] / "python" / "convolens"
    out = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(source)],
                         capture_output=True, text=True,
                         env=dict(os.environ, MYPY_CACHE_DIR=str(tmp_path)))
    assert out.returncode == 0, out.stdout + out.stderr


def test_notebook_runs_and_saves_figures(tmp_path):
    pytest.importorskip("pandas")
    pytest.importorskip("matplotlib")
    root = Path(__file__).resolve().parents[2]
    if not (root / "examples" / "data" / "example.jsonl").exists():
        pytest.skip("no example data")
    out = subprocess.run([sys.executable, str(root / "examples" / "notebook.py")],
                         capture_output=True, text=True,
                         env=dict(os.environ, CONVOLENS_NOTEBOOK_OUT=str(tmp_path),
                                  MPLBACKEND="Agg"))
    assert out.returncode == 0, out.stderr
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    assert pngs == ["cost_per_day.png", "daily_active_users.png", "heatmap.png"], out.stdout
    for png in pngs:
        data = (tmp_path / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, png
    assert "pricing model: PMP" in out.stdout or "pricing model: mixed" in out.stdout


def test_readme_python_snippets_run(tmp_path, monkeypatch):
    # The Python examples of the repository README and the package README, run as
    # written from the repository root (files they write go to a temporary directory).
    import re
    pytest.importorskip("pandas")
    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    for readme in (root / "README.md", root / "bindings-python" / "README.md"):
        blocks = re.findall(r"```python\n(.*?)```", readme.read_text(), re.S)
        assert blocks, readme
        for code in blocks:
            code = code.replace('"buyers.csv"', repr(str(tmp_path / "buyers.csv")))
            exec(compile(code, str(readme), "exec"), {})
    assert (tmp_path / "buyers.csv").read_text().startswith("wa_id,")


def test_error_hierarchy():
    # Parse and config errors are value errors too (bad input values); every class
    # derives from ConvolensError and reports the `convolens` module.
    assert issubclass(convolens.ParseError, ValueError)
    assert issubclass(convolens.ConfigError, ValueError)
    assert not issubclass(convolens.ReportError, ValueError)
    for name in ("ParseError", "ConfigError", "ReportError", "SnapshotError"):
        cls = getattr(convolens, name)
        assert issubclass(cls, convolens.ConvolensError)
        assert cls.__module__ == "convolens"
    with pytest.raises(ValueError):
        convolens.Engine({"time_zone": "Mars/Olympus"})
    with pytest.raises(ValueError) as e:
        convolens.Engine().ingest("{")
    assert e.value.kind == "truncated" and e.value.line == 1


def test_report_options_are_named_as_written():
    engine = convolens.Engine()
    with pytest.raises(convolens.ReportError) as e:
        engine.report(start="2025-13-01")
    assert (e.value.kind, e.value.option) == ("option", "start")
    with pytest.raises(convolens.ReportError) as e:
        engine.report(lats="7d")
    assert e.value.option == "lats"
