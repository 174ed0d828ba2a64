"""`report --export DIR --format parquet` read by pyarrow (an independent Parquet reader):
the same tables, rows and values as ``Engine.rows`` on the example data (issue #21 item 5),
with money as exact decimals, instants as UTC timestamps and days as dates."""

import datetime
import decimal
import json

import pytest

import convolens
from conftest import EXAMPLE_CONFIG, run_report


def expected_cell(value, arrow_type, pa):
    """What pyarrow should give for ``Engine.rows``' cell ``value`` in a column of
    ``arrow_type``."""
    if value is None:
        return None
    if pa.types.is_decimal(arrow_type):
        return decimal.Decimal(round(value * 1_000_000)).scaleb(-6)
    if pa.types.is_timestamp(arrow_type):
        return datetime.datetime.fromisoformat(value).astimezone(datetime.timezone.utc)
    if pa.types.is_date32(arrow_type):
        return datetime.date.fromisoformat(value)
    if pa.types.is_string(arrow_type) and not isinstance(value, str):
        return None  # a list: compared as JSON text below
    return value


def test_parquet_export_reads_back_in_pyarrow(example, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    run_report("--config", str(EXAMPLE_CONFIG), "--export", str(tmp_path), "--format", "parquet",
               str(example))
    engine = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    engine.ingest_jsonl(example)
    for name in ("charges", "conversations", "contacts"):
        table = pq.read_table(tmp_path / f"{name}.parquet")
        rows = engine.rows(name)
        assert table.column_names == rows.columns
        assert table.num_rows == len(rows.rows) > 100
        for j, column in enumerate(rows.columns):
            arrow_type = table.schema.field(column).type
            got = table.column(column).to_pylist()
            for i, row in enumerate(rows.rows):
                want = expected_cell(row[j], arrow_type, pa)
                if isinstance(row[j], list):
                    assert got[i] is not None and json.loads(got[i]) == row[j]
                else:
                    assert got[i] == want, (name, i, column, got[i], row[j])
    charges = pq.read_table(tmp_path / "charges.parquet").schema
    assert charges.field("cost").type == pa.decimal128(18, 6)
    assert charges.field("sent_at").type == pa.timestamp("us", tz="UTC")
    assert charges.field("billing_day").type == pa.date32()
