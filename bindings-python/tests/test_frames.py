"""Report sections as rows, pandas and polars DataFrames."""

import re
import sys

import pytest

import convolens
from convolens import frames
from conftest import EXAMPLE_CONFIG, SAMPLE

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
    # A list of objects: one row each, nested objects flattened; every row has every
    # column (None where a row has nothing).
    assert frames.to_records(REPORT, "days") == [
        {"day": "2025-07-01", "active": 3, "cost.EUR": 1.5},
        {"day": "2025-07-02", "active": 1, "cost.EUR": None},
    ]
    # An object of objects that is not one of the report's keyed maps: one row per entry,
    # named in `key`.
    assert frames.to_records(REPORT, "by_source") == [
        {"key": "meta_ad:1", "leads": 2, "roas": None},
        {"key": "qr:a", "leads": 0, "roas": 1.5},
    ]
    # A keyed map of the report: rows of its named key and value columns (in key order).
    assert frames.to_records(REPORT, "input.messages") == [
        {"type": "button", "messages": 2}, {"type": "text", "messages": 1}]
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
    assert df.to_dict("records") == [{"type": "external_event", "records": 1},
                                     {"type": "outbound", "records": 1}]
    # The core's column order: identifying columns first, then the others in key order.
    assert list(convolens.to_pandas(REPORT, "days").columns) == ["active", "cost.EUR", "day"]
    # Report arguments pass through.
    assert engine().to_pandas("range", start="2025-07-01", end="2025-07-03")["days"][0] == 2


def test_to_polars():
    pl = pytest.importorskip("polars")
    df = engine().to_polars("input.records")
    assert isinstance(df, pl.DataFrame)
    assert df.to_dicts() == [{"type": "external_event", "records": 1},
                             {"type": "outbound", "records": 1}]
    assert convolens.to_polars(REPORT, "by_source").shape == (2, 3)


def test_frame_errors_pass_through():
    with pytest.raises(convolens.ReportError):
        engine().to_pandas("range", model="astrology")
    with pytest.raises(KeyError):
        engine().to_polars("no_such_section")
    with pytest.raises(KeyError):
        convolens.to_records(REPORT, "missing")


def test_heatmap_rule():
    report = {"engagement": {"heatmap": [[1, 2], [3, 4]]}}
    assert frames.to_records(report, "engagement.heatmap") == [
        {"row": 0, "0": 1, "1": 2}, {"row": 1, "0": 3, "1": 4}]


def test_tables_lists_table_paths():
    # The core's tables: the list `days` and the keyed map `input.messages` (`by_source` is
    # no keyed map of the report).
    assert frames.tables(REPORT) == ["days", "input.messages"]
    assert frames.tables(REPORT, "input") == ["input.messages"]
    assert convolens.tables is frames.tables


@pytest.fixture(scope="module")
def example_report(example):
    engine = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    engine.ingest_jsonl(example)
    return engine.report(compare=True, compare_models=True)


# The tables each section of the example report must offer (with the rate card, funnels,
# quota and compare the example config and options give).
EXPECTED_TABLES = {
    "input": {"input.messages", "input.statuses", "input.records"},
    "billing": {"billing.conversations", "billing.charged_messages", "billing.free_messages",
                "billing.cost.by_category", "billing.cost.by_country", "billing.cost.by_day"},
    "usage": {"usage.months", "usage.months[].by_country", "usage.months[].by_category"},
    "sources": {"sources", "sources[].funnel"},
    "attribution": {"attribution.comparison"},
    "engagement": {"engagement.daily_active", "engagement.countries", "engagement.heatmap",
                   "engagement.daily_volume", "engagement.authors",
                   "engagement.top_authors", "engagement.response_time.by_author"},
    "templates": {"templates", "templates[].buttons", "templates[].failed"},
    "campaigns": {"campaigns", "campaigns[].failed"},
    "events": {"events", "events[].by_source"},
    "compare": {"compare.figures"},
}


def test_every_section_has_its_tables(example_report):
    found = frames.tables(example_report)
    # The example data's `pricing` objects come from the generator's simulation of Meta,
    # which agrees with the engine on every message: no mismatches, so no reconciliation
    # tables (an empty list is not a table).
    assert example_report["billing"]["reconciliation"]["mismatched"] == 0
    assert not {"billing.reconciliation.by_field", "billing.reconciliation.mismatches"} & set(found)
    sections = {re.split(r"[.\[]", p)[0] for p in found}
    # Every section but `range` and `overall` (records: one row each) and `warnings`
    # (sentences; none here) makes tables.
    assert example_report["warnings"] == []
    assert sections == set(example_report) - {"range", "overall", "warnings"}
    for section, paths in EXPECTED_TABLES.items():
        assert paths <= set(found), (section, paths - set(found))


def test_every_table_as_records_and_frames(example_report):
    pd = pytest.importorskip("pandas")
    for path in frames.tables(example_report):
        records = frames.to_records(example_report, path)
        df = convolens.to_pandas(example_report, path)
        assert isinstance(df, pd.DataFrame) and len(df) == len(records) > 0, path
        if "[]" not in path:
            # One row per list item or map entry.
            assert len(records) == len(frames.section(example_report, path)), path
    # A few by content: daily cost rows are days (datetime64) with their cost (float64).
    by_day = convolens.to_pandas(example_report, "billing.cost.by_day")
    assert list(by_day.columns) == ["date", "cost"]
    assert str(by_day["date"].dtype).startswith("datetime64")
    assert by_day["cost"].dtype == "float64"
    assert by_day["cost"].sum() == pytest.approx(example_report["billing"]["cost"]["total"])
    heat = convolens.to_pandas(example_report, "engagement.heatmap")
    assert list(heat.columns) == ["row"] + [str(h) for h in range(24)] and len(heat) == 7
    months = convolens.to_pandas(example_report, "usage.months")
    assert {"month", "billable", "quota_used"} <= set(months.columns)
    # Usage by country is its own table, each row starting with its month.
    by_country = convolens.to_pandas(example_report, "usage.months[].by_country")
    assert list(by_country.columns[:2]) == ["usage_months.month", "country"]
    first = example_report["usage"]["months"][0]
    june = by_country[by_country["usage_months.month"] == pd.Timestamp(first["month"] + "-01")]
    assert dict(zip(june["country"], june["sent"])) == {
        c: v["sent"] for c, v in first["by_country"].items()}
    sources = convolens.to_pandas(example_report, "sources")
    assert sources["conversations"].sum() == sum(
        s["conversations"] for s in example_report["sources"])
    # The compare table: one row per figure, previous, current, change and % change.
    figures = convolens.to_pandas(example_report, "compare.figures")
    assert sorted(figures.columns) == sorted([
        "section", "row", "figure", "previous", "current", "change", "change_pct"])
    first = figures.iloc[0]
    assert (first["section"], first["figure"]) == ("overall", "conversations")
    assert first["current"] == example_report["overall"]["conversations"]


def test_every_table_as_polars(example_report):
    pl = pytest.importorskip("polars")
    for path in frames.tables(example_report):
        df = convolens.to_polars(example_report, path)
        assert isinstance(df, pl.DataFrame) and df.height > 0, path
        if "[]" not in path:
            assert df.height == len(frames.section(example_report, path)), path
    by_day = convolens.to_polars(example_report, "billing.cost.by_day")
    assert by_day.schema == {"date": pl.Date, "cost": pl.Float64}


def test_engine_frames_take_report_options(example):
    pytest.importorskip("pandas")
    engine = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    engine.ingest_jsonl(example)
    df = engine.to_pandas("engagement.daily_active", start="2025-06-10", end="2025-06-17")
    assert [d.date().isoformat() for d in df["date"]] == [f"2025-06-{d}" for d in range(10, 17)]
    comparison = engine.to_pandas("attribution.comparison", compare_models=True)
    assert len(comparison) == len(engine.report()["sources"])


def test_missing_optional_package_says_what_to_install(monkeypatch):
    # A None entry in sys.modules makes `import` raise ImportError, as if not installed.
    monkeypatch.setitem(sys.modules, "pandas", None)
    monkeypatch.setitem(sys.modules, "polars", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        engine().to_pandas("input.records")
    with pytest.raises(ImportError, match="pip install polars"):
        convolens.to_polars(REPORT, "days")
