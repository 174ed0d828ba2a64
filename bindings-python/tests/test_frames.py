"""Report sections as rows, pandas and polars DataFrames."""

import pytest

import convolens
from convolens import frames
from conftest import SAMPLE

REPORT = {
    "range": {"from": "2025-07-01", "to": "2025-07-03", "days": 2, "phone": None},
    "input": {"lines": 4, "messages": {"text": 1, "button": 2}},
    "days": [{"day": "2025-07-01", "active": 3, "cost": {"EUR": 1.5}}, {"day": "2025-07-02", "active": 1, "cost": {}}],
    "by_source": {"meta_ad:1": {"leads": 2, "roas": None}, "qr:a": {"leads": 0, "roas": 1.5}},
    "labels": ["a", "b"],
    "total": 7,
    "empty": {},
}


def test_section_paths():
    assert frames.section(REPORT, "input.messages") == {"text": 1, "button": 2}
    with pytest.raises(KeyError, match=r"input has keys lines, messages"):
        frames.section(REPORT, "input.statuses")
    with pytest.raises(KeyError, match="the report has keys"):
        frames.section(REPORT, "nope")
    with pytest.raises(KeyError):
        frames.section(REPORT, "total.x")


def test_records_rules():
    # A list of objects: one row each, nested objects flattened.
    assert frames.to_records(REPORT, "days") == [
        {"day": "2025-07-01", "active": 3, "cost.EUR": 1.5},
        {"day": "2025-07-02", "active": 1},
    ]
    # An object of objects: one row per entry, named in `key`.
    assert frames.to_records(REPORT, "by_source") == [
        {"key": "meta_ad:1", "leads": 2, "roas": None},
        {"key": "qr:a", "leads": 0, "roas": 1.5},
    ]
    # An object of numbers: key/value rows.
    assert frames.to_records(REPORT, "input.messages") == [
        {"key": "text", "value": 1}, {"key": "button", "value": 2}]
    # Any other object: one flattened row.
    assert frames.to_records(REPORT, "input") == [
        {"lines": 4, "messages.text": 1, "messages.button": 2}]
    assert frames.to_records(REPORT, "range") == [REPORT["range"]]
    # Bare values.
    assert frames.to_records(REPORT, "labels") == [{"value": "a"}, {"value": "b"}]
    assert frames.to_records(REPORT, "total") == [{"value": 7}]
    assert frames.to_records(REPORT, "empty") == []


def engine():
    e = convolens.Engine()
    e.ingest_many(SAMPLE)
    return e


def test_to_pandas():
    pd = pytest.importorskip("pandas")
    df = engine().to_pandas("input.records")
    assert isinstance(df, pd.DataFrame)
    assert df.to_dict("records") == [{"key": "external_event", "value": 1},
                                     {"key": "outbound", "value": 1}]
    assert list(convolens.to_pandas(REPORT, "days").columns) == ["day", "active", "cost.EUR"]
    # Report arguments pass through.
    assert engine().to_pandas("range", start="2025-07-01", end="2025-07-03")["days"][0] == 2


def test_to_polars():
    pl = pytest.importorskip("polars")
    df = engine().to_polars("input.records")
    assert isinstance(df, pl.DataFrame)
    assert df.to_dicts() == [{"key": "external_event", "value": 1},
                             {"key": "outbound", "value": 1}]
    assert convolens.to_polars(REPORT, "by_source").shape == (2, 3)


def test_frame_errors_pass_through():
    with pytest.raises(convolens.ReportError):
        engine().to_pandas("range", model="astrology")
    with pytest.raises(KeyError):
        engine().to_polars("no_such_section")
    with pytest.raises(KeyError):
        convolens.to_records(REPORT, "missing")
