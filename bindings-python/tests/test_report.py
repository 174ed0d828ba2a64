"""report and report_json: options, errors, and equality with `report --json`."""

import datetime
import json

import pytest

import convolens
from conftest import EXAMPLE_CONFIG, SAMPLE, jsonl, run_cli


@pytest.fixture(scope="module")
def example_engine(example):
    engine = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    out = engine.ingest_jsonl(example)
    assert out["errors"] == []
    return engine


def test_report_equals_cli_on_example_data(example, example_engine):
    cli = run_cli("--config", str(EXAMPLE_CONFIG), str(example))
    assert example_engine.report() == cli["json"]
    # The example config's rate card makes billing non-trivial.
    assert cli["json"]["billing"]["cost"]["total"] > 0
    assert cli["json"]["usage"]["months"]
    # Byte for byte, too: same serialiser, same pretty printer.
    assert example_engine.report_json() + "\n" == cli["text"]


@pytest.mark.parametrize("cli_args,kwargs", [
    (["--from", "2025-06-10", "--to", "2025-07-01"], {"start": "2025-06-10", "end": "2025-07-01"}),
    (["--from", "2025-06-10", "--to", "2025-07-01"],
     {"start": datetime.date(2025, 6, 10), "end": datetime.date(2025, 7, 1)}),
    (["--last", "14d"], {"last": "14d"}),
    (["--last", "1m", "--tz", "UTC"], {"last": "1m", "time_zone": "UTC"}),
    (["--phone", "106540352242999"], {"phone": "106540352242999"}),
    (["--model", "linear"], {"model": "linear"}),
    (["--from", "2025-06-15", "--to", "2025-07-15", "--model", "position_based"],
     {"start": "2025-06-15", "end": "2025-07-15", "model": "position_based"}),
    (["--compare", "--last", "14d"], {"compare": True, "last": "14d"}),
    (["--compare-models"], {"compare_models": True}),
    (["--event", "interested", "--compare", "--last", "30d"],
     {"conversion_event": "interested", "compare": True, "last": "30d"}),
])
def test_report_options_equal_cli(example, example_engine, cli_args, kwargs):
    cli = run_cli("--config", str(EXAMPLE_CONFIG), *cli_args, str(example))
    assert example_engine.report(**kwargs) == cli["json"]


def test_report_equals_cli_on_shared_payloads(tmp_path, shared_payloads):
    # The shared payloads, one per line, through both paths.
    docs = [json.loads(p.read_text()) for p in shared_payloads]
    path = tmp_path / "shared.jsonl"
    path.write_text(jsonl(docs))
    engine = convolens.Engine()
    engine.ingest_many(docs)
    assert engine.report() == run_cli(str(path))["json"]


def test_report_keys_and_range():
    engine = convolens.Engine()
    engine.ingest_many(SAMPLE)
    report = engine.report()
    assert list(report)[:3] == ["range", "overall", "input"]
    assert list(report)[-1] == "warnings"
    # 1751450000 is 2025-07-02 09:53:20 UTC, 1751460000 the same day: one day.
    assert report["range"] == {"from": "2025-07-02", "to": "2025-07-03", "days": 1,
                               "time_zone": "UTC", "phone": None}
    assert engine.report(start="2025-07-01", end="2025-07-08")["range"]["days"] == 7


def test_datetime_is_accepted_as_its_date():
    engine = convolens.Engine()
    engine.ingest_many(SAMPLE)
    a = engine.report(start=datetime.datetime(2025, 7, 1, 23, 59), end="2025-07-03")
    assert a["range"]["from"] == "2025-07-01"


@pytest.mark.parametrize("kwargs,match,kind,option", [
    ({"start": "2025-07-10", "end": "2025-07-01"}, "before", "range", ""),
    ({"start": "July 1st"}, "`start`", "option", "start"),
    ({"end": "2025-02-30"}, "`end`", "option", "end"),
    ({"model": "astrology"}, "astrology", "option", "model"),
    ({"last": "fortnight"}, "fortnight", "option", "last"),
    ({"last": "7d", "start": "2025-07-01"}, "either", "option", "last"),
    ({"time_zone": "Mars/Base"}, "Mars/Base", "option", "time_zone"),
    ({"colour": "red"}, "colour", "option", "colour"),
    ({"last": 7}, "`last`", "option", "last"),
    ({"phone": float("nan")}, "NaN|nan", "option", ""),
])
def test_bad_report_options_raise_report_error(kwargs, match, kind, option):
    engine = convolens.Engine()
    engine.ingest_many(SAMPLE)
    with pytest.raises(convolens.ReportError, match=match) as info:
        engine.report(**kwargs)
    assert (info.value.kind, info.value.option) == (kind, option)


def test_wrong_date_types_raise_type_error():
    engine = convolens.Engine()
    with pytest.raises(TypeError, match="`start` must be a datetime.date"):
        engine.report(start=20250701)
    with pytest.raises(TypeError, match="`end`"):
        engine.report_json(end=object())


def test_options_reach_the_core_by_name():
    # Options go to the core's ReportOptions by name: `**{"from": ...}` is `start`.
    engine = convolens.Engine()
    engine.ingest_many(SAMPLE)
    assert engine.report(**{"from": "2025-07-01"}) == engine.report(start="2025-07-01")


def test_report_json_compact_and_pretty():
    engine = convolens.Engine()
    engine.ingest_many(SAMPLE)
    pretty = engine.report_json(last="7d")
    compact = engine.report_json(last="7d", pretty=False)
    assert "\n" in pretty and "\n" not in compact
    assert json.loads(pretty) == json.loads(compact) == engine.report(last="7d")


def test_a_known_phone_filters_and_an_unknown_one_is_an_option_error():
    engine = convolens.Engine()
    engine.ingest_many(SAMPLE)
    assert engine.report(phone="1001")["range"]["phone"] == "1001"
    # An unknown number used to give an empty report; now it names the known ones (#20).
    with pytest.raises(convolens.ReportError, match="known numbers: 1001") as e:
        engine.report(phone="999")
    assert (e.value.kind, e.value.option) == ("option", "phone")
