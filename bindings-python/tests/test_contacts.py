"""export_contacts: the users of a source or event as CSV, like `report --contacts`."""

import io

import pytest

import convolens
from conftest import EXAMPLE_CONFIG, SAMPLE, USER, run_report

HEADER = "wa_id,name,country,first_seen,source,converted,value\r\n"


@pytest.fixture(scope="module")
def example_engine(example):
    engine = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    assert engine.ingest_jsonl(example)["errors"] == []
    return engine


@pytest.mark.parametrize("name,cli_args,kwargs", [
    ("purchase", [], {}),                                 # an external event
    ("interested", [], {}),                               # a messaging event
    ("qr:billboard-a", [], {}),                           # a source key
    ("campaign:summer_sale", ["--from", "2025-06-10", "--to", "2025-07-01"],
     {"start": "2025-06-10", "end": "2025-07-01"}),
    ("meta_ad:120210000000001", ["--model", "linear"], {"model": "linear"}),
])
def test_export_equals_cli(example, example_engine, name, cli_args, kwargs):
    cli = run_report("--config", str(EXAMPLE_CONFIG), "--contacts", name, *cli_args,
                     str(example))
    text = example_engine.export_contacts(name, **kwargs)
    assert text.encode() == cli.stdout
    assert text.startswith(HEADER)


def test_source_and_event_keywords(example_engine):
    by_name = example_engine.export_contacts("qr:billboard-a")
    assert example_engine.export_contacts(source="qr:billboard-a") == by_name
    assert example_engine.export_contacts(event="purchase") == \
        example_engine.export_contacts("purchase")
    # Both: the users matching both, a subset of each.
    both = example_engine.export_contacts(source="direct", event="purchase").splitlines()[1:]
    buyers = {r.split(",")[0] for r in example_engine.export_contacts(event="purchase")
              .splitlines()[1:]}
    direct = {r.split(",")[0] for r in example_engine.export_contacts(source="direct")
              .splitlines()[1:]}
    assert both and {r.split(",")[0] for r in both} <= buyers & direct


def test_small_export_by_hand():
    engine = convolens.Engine({"currency": "EUR"})
    engine.ingest_many(SAMPLE)
    # The sample user (Ana, a German number) wrote at 1751450000 = 20271 days + 35600 s
    # = 2025-07-02T09:53:20Z from ad 120 and bought for 49.90 EUR, which makes the
    # conversation a lead (converted) and the value that of her purchases.
    assert engine.export_contacts("purchase") == HEADER + (
        f"{USER},Ana,DE,2025-07-02T09:53:20+00:00,meta_ad:120,true,49.90\r\n")
    # Report options apply: in Berlin time (UTC+2 in July) and before the purchase day.
    assert engine.export_contacts("purchase", time_zone="Europe/Berlin") == HEADER + (
        f"{USER},Ana,DE,2025-07-02T11:53:20+02:00,meta_ad:120,true,49.90\r\n")
    assert engine.export_contacts("purchase", end="2025-07-02") == HEADER
    # No filter: every user.
    assert engine.export_contacts().count("\r\n") == 2
    # A source nobody came from: just the header.
    assert engine.export_contacts(source="qr:nowhere") == HEADER
    # A purchase in another currency than the configured one counts for nothing (without
    # a configured currency the money records' own, EUR here, would be the report's).
    usd = convolens.Engine({"currency": "USD"})
    usd.ingest_many(SAMPLE)
    assert usd.export_contacts("purchase").endswith(",true,0.00\r\n")
    unset = convolens.Engine()
    unset.ingest_many(SAMPLE)
    assert unset.export_contacts("purchase").endswith(",true,49.90\r\n")


def test_export_to_path_and_files(tmp_path, example_engine):
    text = example_engine.export_contacts("purchase")
    rows = text.count("\r\n") - 1
    path = tmp_path / "buyers.csv"
    assert example_engine.export_contacts("purchase", file=path) == rows
    assert path.read_bytes() == text.encode()
    assert example_engine.export_contacts("purchase", file=str(path)) == rows
    binary = io.BytesIO()
    assert example_engine.export_contacts("purchase", file=binary) == rows
    assert binary.getvalue() == text.encode()
    textio = io.StringIO(newline="")
    assert example_engine.export_contacts("purchase", file=textio) == rows
    assert textio.getvalue() == text


def test_export_errors(tmp_path, example_engine):
    with pytest.raises(TypeError, match="not both"):
        example_engine.export_contacts("purchase", source="direct")
    with pytest.raises(TypeError, match="`file`"):
        example_engine.export_contacts("purchase", file=42)
    with pytest.raises(convolens.ReportError, match="astrology"):
        example_engine.export_contacts("purchase", model="astrology")
    with pytest.raises(convolens.ReportError, match="`start`"):
        example_engine.export_contacts("purchase", start="someday")
    with pytest.raises(FileNotFoundError):
        example_engine.export_contacts("purchase", file=tmp_path / "no" / "dir.csv")
