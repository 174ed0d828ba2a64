"""convolens.types: every key of every report the tests can produce matches the
TypedDicts, with no key missing or extra, and every declared key is met at least once."""

import typing
from typing import Any, Dict, List, Literal, Set, Tuple, Union

import pytest

import convolens
from convolens import types
from conftest import EXAMPLE_CONFIG, SAMPLE, USER


def is_typeddict(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, dict) and hasattr(tp, "__required_keys__")


class Checker:
    """Checks values against the TypedDicts, remembering which keys it met."""

    def __init__(self) -> None:
        self.seen: Set[Tuple[str, str]] = set()

    def check(self, value: Any, tp: Any, path: str) -> None:
        origin, args = typing.get_origin(tp), typing.get_args(tp)
        if tp is Any:
            return
        if origin is Union:
            failures = []
            for option in args:
                try:
                    self.check(value, option, path)
                    return
                except AssertionError as e:
                    failures.append(str(e))
            raise AssertionError(f"{path}: {value!r} matches none of {args}: {failures}")
        if origin is Literal:
            assert value in args, f"{path}: {value!r} is not one of {args}"
        elif origin is list:
            assert isinstance(value, list), f"{path}: expected a list, got {value!r}"
            for i, v in enumerate(value):
                self.check(v, args[0], f"{path}[{i}]")
        elif origin is dict:
            assert isinstance(value, dict), f"{path}: expected a dict, got {value!r}"
            for k, v in value.items():
                assert isinstance(k, str)
                self.check(v, args[1], f"{path}.{k}")
        elif is_typeddict(tp):
            assert isinstance(value, dict), f"{path}: expected a {tp.__name__}, got {value!r}"
            hints = typing.get_type_hints(tp)
            missing = tp.__required_keys__ - set(value)
            extra = set(value) - set(hints)
            assert not missing, f"{path}: {tp.__name__} keys missing: {sorted(missing)}"
            assert not extra, f"{path}: keys not in {tp.__name__}: {sorted(extra)}"
            for k, v in value.items():
                self.seen.add((tp.__name__, k))
                self.check(v, hints[k], f"{path}.{k}")
        elif tp is float:
            assert isinstance(value, (int, float)) and not isinstance(value, bool), \
                f"{path}: expected a number, got {value!r}"
        elif tp in (int, str, bool):
            assert type(value) is tp, f"{path}: expected {tp.__name__}, got {value!r}"
        elif tp is type(None):
            assert value is None, f"{path}: expected None, got {value!r}"
        else:
            raise AssertionError(f"{path}: the checker does not know {tp!r}")


def declared(tp: Any, out: Dict[str, Set[str]]) -> None:
    """Every (TypedDict, key) reachable from `tp`."""
    if is_typeddict(tp):
        if tp.__name__ in out:
            return
        hints = typing.get_type_hints(tp)
        out[tp.__name__] = set(hints)
        for h in hints.values():
            declared(h, out)
    for a in typing.get_args(tp):
        declared(a, out)


@pytest.fixture(scope="module")
def example_engine(example):
    engine = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    assert engine.ingest_jsonl(example)["errors"] == []
    return engine


REPORT_ARGS: List[Dict[str, Any]] = [
    {},
    {"compare": True},
    {"compare_models": True, "model": "linear"},
    {"conversion_event": "interested"},
    {"last": "7d", "phone": "106540352242999"},
    {"start": "2025-05-01", "end": "2025-05-08"},  # before the data: empty days
]

# Keys the example data never produces: Meta's conversation id appears only in mismatches
# under conversation-based pricing; comparison_errors only when a model fails.
NEVER_MET = {("BillingView", "conversation_id"), ("Attribution", "comparison_errors")}


def test_reports_match_the_types(example_engine):
    checker = Checker()
    for kwargs in REPORT_ARGS:
        report = example_engine.report(**kwargs)
        checker.check(report, types.Report, f"report({kwargs})")
    small = convolens.Engine()
    small.ingest_many(SAMPLE)
    checker.check(small.report(), types.Report, "sample report")
    # The example data's Meta objects agree with the engine everywhere (the generator
    # simulates Meta's rules), so a hand-made disagreement shows the mismatch types: Meta
    # calls a delivered marketing template a free utility message.
    odd = convolens.Engine()
    odd.ingest_many([
        {"type": "outbound", "id": "w1", "to": USER, "timestamp": 1751450000,
         "template": "promo", "category": "marketing"},
        {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": {
            "metadata": {"phone_number_id": "1001"},
            "statuses": [{"id": "w1", "status": "delivered", "timestamp": "1751450005",
                          "recipient_id": USER,
                          "pricing": {"billable": False, "pricing_model": "PMP",
                                      "type": "free_customer_service", "category": "utility"}}],
        }}]}]},
    ])
    mismatch = odd.report()
    assert mismatch["billing"]["reconciliation"]["mismatched"] == 1
    checker.check(mismatch, types.Report, "mismatch report")
    checker.check(convolens.Engine().report(), types.Report, "empty report")
    # Every key the types declare was met in some report.
    keys: Dict[str, Set[str]] = {}
    declared(types.Report, keys)
    never = {(t, k) for t, ks in keys.items() for k in ks} - checker.seen - NEVER_MET
    assert not never, sorted(never)


def test_optional_keys_appear_when_asked(example_engine):
    assert "compare" not in example_engine.report()
    assert set(example_engine.report(compare=True)["compare"]) == {
        "previous_range", "figures"}
    assert "comparison" not in example_engine.report()["attribution"]
    assert "comparison" in example_engine.report(compare_models=True)["attribution"]


def test_ingest_outcomes_match_the_types(tmp_path):
    checker = Checker()
    engine = convolens.Engine()
    checker.check(engine.ingest(SAMPLE[0]), types.IngestOutcome, "ingest")
    out = engine.ingest_many([SAMPLE[1], "{not json"])
    assert out["errors"]
    checker.check(out, types.StreamOutcome, "ingest_many")
    path = tmp_path / "x.jsonl"
    path.write_text("[]\n")
    checker.check(engine.ingest_jsonl(path), types.StreamOutcome, "ingest_jsonl")


def test_every_type_is_exported_and_documented():
    for name in types.__all__:
        assert hasattr(types, name), name
    assert types.Report.__doc__ and "compare" in types.Report.__doc__
    assert set(types.Report.__required_keys__) == {
        "range", "overall", "input", "billing", "usage", "sources", "events", "attribution",
        "engagement", "templates", "campaigns", "warnings"}
    assert set(types.Report.__optional_keys__) == {"compare"}


def test_generated_types_are_current():
    """tools/gen-types.py --check: the generated parts of types.py, types.d.ts and the
    schema copies in the package are what schema/*.schema.json generates (issue #21.7)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    gen = root / "tools" / "gen-types.py"
    if not gen.exists():
        pytest.skip("not run from a repository checkout")
    done = subprocess.run([sys.executable, str(gen), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schemas_ship_with_the_package():
    """The installed package carries the JSON Schemas the types come from."""
    import json
    from importlib import resources

    base = resources.files("convolens") / "schema"
    report = json.loads((base / "report.schema.json").read_text())
    config = json.loads((base / "config.schema.json").read_text())
    assert report["title"] == "Report" and config["title"] == "Config"
    # The TypedDicts carry the schema's keys: the Report's required keys are the schema's.
    assert set(report["required"]) == set(types.Report.__required_keys__)
    assert set(report["properties"]) == set(types.Report.__annotations__)
