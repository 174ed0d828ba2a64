"""convolens.spark: Spark in local mode gives exactly the single-engine report.

The key-rule tests are pure Python. The Spark tests run Spark in local mode (local[2],
loopback only) with the `java` on PATH, installing pyspark into this interpreter's
environment when it is missing; they skip only when there is no `java`. Each compares
the WHOLE report, `input` counters included, with one engine fed the same rows.

The 1M-message test generates its data with `gen_data` (about 400 MB, cached in the
cargo target directory) and writes the measured wall-clock times to
`<target>/spark-timings.json` (and stderr). CONVOLENS_SPARK_USERS changes its user count
(default 40000, which gives 1.04M inbound + outbound messages and statuses).
"""

from __future__ import annotations

import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import convolens
from convolens import spark as cspark

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "data" / "example.jsonl"
EXAMPLE_CONFIG = ROOT / "examples" / "data" / "config.json"
SHARED = Path(os.environ.get("CONVOLENS_SHARED_DATA", ROOT.parent / "shared" / "data"))
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
PARTITIONS = 4
USERS = int(os.environ.get("CONVOLENS_SPARK_USERS", "40000"))

JAVA = shutil.which("java")
needs_java = pytest.mark.skipif(
    JAVA is None,
    reason="no `java` on PATH: Spark needs a Java runtime (17+), so the Spark tests are skipped",
)

W1, W2, W3 = "4915112345678", "447911123456", "919876543210"
B1 = "DE.1234567890abcdef"


def webhook(value: Dict[str, Any], field: str = "messages") -> Dict[str, Any]:
    value = {"messaging_product": "whatsapp",
             "metadata": {"phone_number_id": "1001", "display_phone_number": "15550001001"},
             **value}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "9001", "changes": [{"field": field, "value": value}]}]}


def inbound(mid: str, user: str, ts: int, body: str = "hi", bsuid: str = "",
            name: str = "Ana") -> Dict[str, Any]:
    contact: Dict[str, Any] = {"wa_id": user, "profile": {"name": name}}
    msg: Dict[str, Any] = {"from": user, "id": mid, "timestamp": str(ts), "type": "text",
                           "text": {"body": body}}
    if bsuid:
        contact["user_id"] = bsuid
        msg["from_user_id"] = bsuid
    return webhook({"contacts": [contact], "messages": [msg]})


def status(mid: str, user: str, ts: int, kind: str, bsuid: str = "") -> Dict[str, Any]:
    s: Dict[str, Any] = {"id": mid, "status": kind, "timestamp": str(ts), "recipient_id": user}
    if bsuid:
        s["recipient_user_id"] = bsuid
    return webhook({"statuses": [s]})


def outbound(mid: str, to: str, ts: int) -> Dict[str, Any]:
    return {"type": "outbound", "id": mid, "phone_number_id": "1001", "to": to,
            "timestamp": ts, "template": "promo", "category": "marketing",
            "author": "campaign", "campaign": "summer"}


def dumps(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


T = 1_751_450_000  # 2025-07-02T09:53:20Z


def hard_rows() -> List[str]:
    """Rows that stress the partitioning: retries (duplicates), a user named by wa_id in
    some rows and by BSUID only in others, a status batch naming several users, spend
    lines repeated, clicks, non-message webhooks, bad and blank lines, a JSON array."""
    in1 = dumps(inbound("wamid.in.1", W1, T))
    out1 = dumps(outbound("wamid.out.1", W1, T + 60))
    sent1 = dumps(status("wamid.out.1", W1, T + 61, "sent"))
    rows = [
        in1, in1, in1,                                     # webhook retries
        out1, out1,
        sent1, sent1,
        dumps(status("wamid.out.1", W1, T + 90, "delivered")),
        dumps(status("wamid.out.1", W1, T + 95, "read")),
        dumps(inbound("wamid.in.2", W2, T + 5, "price?", name="Bo")),
        dumps(outbound("wamid.out.2", W2, T + 100)),
        # W3 is linked to its BSUID by one row; other rows name only one of the two ids.
        dumps(inbound("wamid.in.3", W3, T + 10, "ship to Pune?", bsuid=B1, name="Ravi")),
        dumps(outbound("wamid.out.3", B1, T + 200)),
        dumps(status("wamid.out.3", "", T + 201, "sent", bsuid=B1)),
        dumps(status("wamid.out.3", W3, T + 260, "delivered")),
        dumps({"type": "external_event", "id": "order-3", "contact": B1, "name": "purchase",
               "value": 19.5, "currency": "EUR", "timestamp": T + 3000}),
        dumps({"type": "external_event", "id": "order-1", "contact": W1, "name": "purchase",
               "value": 49.9, "currency": "EUR", "timestamp": T + 4000}),
        dumps({"type": "close", "contact": W2, "timestamp": T + 5000}),
        # One batch, three recipients.
        dumps(webhook({"statuses": [
            {"id": "wamid.out.2", "status": "sent", "timestamp": str(T + 101), "recipient_id": W2},
            {"id": "wamid.out.9", "status": "sent", "timestamp": str(T + 102), "recipient_id": W1},
            {"id": "wamid.out.3", "status": "read", "timestamp": str(T + 300), "recipient_id": W3},
        ]})),
        # Spend (global), repeated, and clicks (keyed by message, not user).
        dumps({"type": "spend", "date": "2025-07-02", "source": "meta_ad:AD1", "amount": 12.5,
               "currency": "EUR"}),
        dumps({"type": "spend", "date": "2025-07-02", "source": "meta_ad:AD1", "amount": 12.5,
               "currency": "EUR"}),
        dumps({"type": "spend", "date": "2025-07-03", "source": "meta_ad:AD1", "amount": 7,
               "currency": "EUR"}),
        dumps({"type": "click", "message_id": "wamid.out.1", "button": "Shop",
               "timestamp": T + 120}),
        dumps({"type": "click", "message_id": "wamid.out.1", "button": "Shop",
               "timestamp": T + 120}),
        # Other webhook fields: accepted, ignored.
        dumps(webhook({"event": "APPROVED", "message_template_id": 1, "message_template_name": "promo"},
                      field="message_template_status_update")),
        dumps(webhook({"event": "APPROVED", "message_template_id": 1, "message_template_name": "promo"},
                      field="message_template_status_update")),
        # Bad rows and blank rows.
        '{"type":"outbound","id":"wamid.bad"',
        "not json at all",
        '{"type":"outbound","id":"wamid.x","to":"' + W1 + '"}',
        "",
        "   ",
        # A JSON array of two records for two users.
        "[" + dumps(outbound("wamid.out.4", W1, T + 400)) + ","
        + dumps(outbound("wamid.out.5", W2, T + 410)) + "]",
    ]
    return rows


def single_report(rows: List[str], config: Any = None, **kw: Any) -> Dict[str, Any]:
    """One engine fed the rows as a JSONL stream."""
    engine = convolens.Engine(config)
    engine.ingest_jsonl(io.BytesIO("".join(r + "\n" for r in rows).encode()))
    return engine.report(**kw)


# ------------------------------------------------------------------ the key rule (no Spark)


def test_user_key_rule():
    assert cspark.user_key(dumps(inbound("m", W1, T))) == W1
    # An empty `from` falls back to the BSUID; ids are stripped of spaces.
    doc = inbound("m", "", T, bsuid=B1)
    assert cspark.user_key(dumps(doc)) == B1
    doc["entry"][0]["changes"][0]["value"]["messages"][0]["from"] = f"  {W3} "
    assert cspark.user_key(dumps(doc)) == W3
    assert cspark.user_key(dumps(status("m", W2, T, "sent"))) == W2
    assert cspark.user_key(dumps(status("m", "", T, "sent", bsuid=B1))) == B1
    # Contacts only (no message, no status): the contact's wa_id.
    assert cspark.user_key(dumps(webhook({"contacts": [{"wa_id": W3}]}))) == W3
    # Messages before statuses before contacts, whatever the order of the changes.
    both = webhook({"statuses": [{"id": "s", "status": "sent", "timestamp": "1",
                                  "recipient_id": W2}]})
    both["entry"].append(inbound("m", W1, T)["entry"][0])
    assert cspark.user_key(dumps(both)) == W1
    assert cspark.user_key(dumps(outbound("m", W1, T))) == W1
    assert cspark.user_key(dumps({"type": "outbound", "to": 4915112345678})) == W1
    assert cspark.user_key(dumps({"type": "close", "contact": W2})) == W2
    assert cspark.user_key(dumps({"type": "external_event", "contact": B1})) == B1
    for keyless in (
        {"type": "spend", "date": "2025-07-02", "amount": 1},
        {"type": "click", "message_id": "m"},
        webhook({"event": "APPROVED"}, field="message_template_status_update"),
        # A `messages` field with the user only in another field's change is keyless.
        webhook({"statuses": []}),
    ):
        assert cspark.user_key(dumps(keyless)) is None, keyless
    for bad in ("", "   ", "nope", "[1, 2]", '{"type":', "null", None):
        assert cspark.user_key(bad) is None, bad
    assert cspark.user_key(dumps(inbound("m", W1, T)).encode()) == W1


def test_partition_of_is_stable_and_sends_keyless_rows_to_zero():
    line = dumps(inbound("m", W1, T))
    # CRC-32 of the key: the same in every process (Python's str hash is not).
    assert cspark.partition_of(line, 7) == zlib.crc32(W1.encode()) % 7
    assert cspark.partition_of(dumps(outbound("x", W1, T + 5)), 7) == cspark.partition_of(line, 7)
    assert cspark.partition_of('{"type":"spend"}', 7) == 0
    assert cspark.partition_of("garbage", 7) == 0
    spread = {cspark.partition_of(r, PARTITIONS) for r in hard_rows()}
    assert len(spread) >= 3, "the hard cases must spread over several partitions"


def test_rows_stream_makes_one_line_per_row():
    rows = cspark._Rows(iter(['{"a":\n 1}', None, "  \t{}", b"x", bytearray(b"y")]))
    assert rows.read(-1) == b'{"a":  1}\n\n{}\nx\ny\n'
    assert rows.count == 5 and rows.read(-1) == b""
    chunks = cspark._Rows(iter(["aaaa", "bbbb", "cccc"]))
    assert chunks.read(6) == b"aaaa\nbbbb\n"
    assert chunks.read(6) == b"cccc\n"
    assert chunks.read(6) == b""


def test_config_forms(tmp_path):
    cfg = {"time_zone": "Europe/Berlin"}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cfg))
    expected = convolens.Engine(cfg).config
    assert cspark._seed_engine(cfg).config == expected
    assert cspark._seed_engine(json.dumps(cfg)).config == expected
    assert cspark._seed_engine(path).config == expected
    assert cspark._seed_engine(str(path)).config == expected
    assert cspark._seed_engine(None).config == convolens.Engine().config
    with pytest.raises(TypeError):
        cspark._seed_engine(42)  # type: ignore[arg-type]


# -------------------------------------------------------------------------------- Spark


def _ensure_pyspark() -> None:
    try:
        importlib.import_module("pyspark")
        return
    except ImportError:
        pass
    sys.stderr.write("test_spark: pyspark missing; installing pyspark>=3.5 with pip\n")
    out = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", "install",
         "pyspark>=3.5"],
        capture_output=True, text=True, timeout=1800, check=False,
    )
    if out.returncode != 0:
        pytest.fail(f"could not install pyspark with pip:\n{out.stdout}\n{out.stderr}")
    importlib.invalidate_caches()
    importlib.import_module("pyspark")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if JAVA is None:  # pragma: no cover - the tests are skipped first
        pytest.skip("no java")
    _ensure_pyspark()
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("convolens-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(PARTITIONS))
        .config("spark.default.parallelism", str(PARTITIONS))
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@needs_java
def test_example_data_equals_single_engine(spark, example_data):
    single = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    single.ingest_jsonl(EXAMPLE)
    df = spark.read.text(str(EXAMPLE))
    merged = cspark.engine(df, EXAMPLE_CONFIG, PARTITIONS)
    assert merged.report() == single.report()
    assert merged.report(last="14d") == single.report(last="14d")
    assert merged.report("2025-06-10", "2025-07-05", phone="106540352242922") == single.report(
        "2025-06-10", "2025-07-05", phone="106540352242922")
    assert merged.config == single.config
    assert single.report()["input"]["duplicates"] > 0, "the data must exercise duplicates"
    # The report() shortcut, other partition counts, and merging on the executors.
    assert cspark.report(df, EXAMPLE_CONFIG, partitions=1) == single.report()
    assert cspark.report(df, str(EXAMPLE_CONFIG), partitions=7, merge="tree") == single.report()
    # Without partitions=: the context's default parallelism.
    assert cspark.report(df, EXAMPLE_CONFIG, "2025-07-01", "2025-08-01") == single.report(
        "2025-07-01", "2025-08-01")


@needs_java
def test_hard_cases_equal_single_engine(spark):
    rows = hard_rows()
    cfg = {"time_zone": "Europe/Berlin", "conversion_event": "purchase"}
    expected = single_report(rows, cfg)
    # What the rows exercise, so the equality below is not vacuous.
    inp = expected["input"]
    assert inp["duplicates"] >= 6 and inp["errors"] == 3 and inp["ignored"] == 2, inp
    assert inp["lines"] == len(rows) and inp["records"]["spend"] == 2, inp
    df = spark.createDataFrame([(r,) for r in rows], "doc string")
    for n in (2, PARTITIONS, 9):
        assert cspark.report(df, cfg, partitions=n) == expected, n
    assert cspark.report(df, cfg, partitions=5, merge="tree", depth=3) == expected
    # An RDD of strings and a binary column work the same.
    assert cspark.report(spark.sparkContext.parallelize(rows, 3), cfg, partitions=3) == expected
    bdf = spark.createDataFrame([(r.encode(), 1) for r in rows], "raw binary, n int")
    assert cspark.report(bdf, cfg, partitions=3, column="raw") == expected


@needs_java
def test_same_item_under_two_keys_changes_only_the_duplicate_count(spark):
    """The one documented difference: the very same status in two rows with different
    keys (wa_id in one, BSUID only in the other) is a duplicate for one engine but meets
    its copy only in the merge, which does not count repeats. The state is the same."""
    link = dumps(inbound("wamid.in.1", W1, T, bsuid=B1))
    by_wa = dumps(status("wamid.out.1", W1, T + 61, "sent"))
    by_bsuid = dumps(status("wamid.out.1", "", T + 61, "sent", bsuid=B1))
    rows = [link, dumps(outbound("wamid.out.1", W1, T + 60)), by_wa, by_bsuid]
    n = next(n for n in range(2, 50)
             if cspark.partition_of(by_wa, n) != cspark.partition_of(by_bsuid, n))
    expected = single_report(rows)
    got = cspark.report(spark.createDataFrame([(r,) for r in rows], "doc string"), None,
                        partitions=n)
    assert expected["input"]["duplicates"] == 1
    assert got["input"]["duplicates"] == 0
    got["input"]["duplicates"] = 1
    assert got == expected


@needs_java
def test_webhook_payload_strings(spark):
    """A DataFrame of webhook bodies as received (pretty-printed, several lines each):
    each row is one document, as with Engine.ingest_many."""
    bodies = [json.dumps(inbound("wamid.p1", W1, T), indent=2),
              json.dumps(status("wamid.o1", W2, T + 5, "delivered"), indent=2),
              json.dumps(inbound("wamid.p1", W1, T), indent=4)]
    bodies += shared_bodies()
    single = convolens.Engine()
    single.ingest_many(bodies)
    expected = single.report()
    assert expected["input"]["lines"] == len(bodies)
    df = spark.createDataFrame([(b,) for b in bodies], "body string")
    assert cspark.report(df, partitions=PARTITIONS) == expected


def shared_bodies() -> List[str]:
    """The shared real payloads (valid and invalid), each once per message id.

    The documentation and SDK fixtures reuse message ids for different messages (one
    id is an audio message in one file, a text in another). Real ids are unique; for
    such conflicting items an engine keeps the first it ingests, so no reordering of
    the input -- Spark's or any other -- is bound to keep the same one. Files whose
    message or status ids were already seen are left out."""
    files = sorted((SHARED / "webhooks").glob("**/*.json"))
    files += sorted((SHARED / "webhooks-invalid").glob("*.json.txt"))
    seen = set()
    bodies = []
    for f in files:
        text = f.read_text(encoding="utf-8")
        try:
            doc = json.loads(text)
        except ValueError:
            bodies.append(text)
            continue
        ids = set()
        for entry in doc.get("entry") or [] if isinstance(doc, dict) else []:
            for change in entry.get("changes") or []:
                value = change.get("value") or {}
                ids |= {("m", m.get("id")) for m in value.get("messages") or []}
                ids |= {("s", s.get("id")) for s in value.get("statuses") or []}
        if ids & seen:
            continue
        seen |= ids
        bodies.append(text)
    return bodies


def test_bad_arguments():
    with pytest.raises(ValueError, match="merge"):
        cspark.engine(object(), merge="nope")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="DataFrame or RDD"):
        cspark.engine(object(), partitions=2)  # type: ignore[arg-type]


@needs_java
def test_bad_spark_arguments(spark):
    df = spark.createDataFrame([("a", "b")], "x string, y string")
    with pytest.raises(ValueError, match="column="):
        cspark.engine(df, partitions=2)
    with pytest.raises(ValueError, match="partitions"):
        cspark.engine(df.select("x"), partitions=0)
    # No rows at all: the empty engine's report, by either merge.
    empty = spark.createDataFrame([], "x string")
    assert cspark.report(empty, partitions=2) == convolens.Engine().report()
    assert cspark.report(empty, partitions=2, merge="tree") == convolens.Engine().report()


# ---------------------------------------------------------------------- one million messages


def _generated() -> Path:
    out = TARGET / "spark-data" / f"gen-{USERS}u-61d.jsonl"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    run = subprocess.run(
        ["cargo", "run", "--release", "-q", "--bin", "gen_data", "--",
         "--users", str(USERS), "--days", "61", str(tmp)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    tmp.rename(out)
    return out


@needs_java
def test_one_million_messages(spark):
    data = _generated()
    t0 = time.perf_counter()
    single = convolens.Engine.from_config_file(EXAMPLE_CONFIG)
    single.ingest_jsonl(data)
    expected = single.report()
    t_single = time.perf_counter() - t0
    inp = expected["input"]
    messages = (sum(inp["messages"].values()) + sum(inp["statuses"].values())
                + inp["records"]["outbound"])
    if USERS >= 40000:
        assert messages >= 1_000_000, inp

    df = spark.read.text(str(data))
    t0 = time.perf_counter()
    got = cspark.report(df, EXAMPLE_CONFIG, partitions=PARTITIONS)
    t_spark = time.perf_counter() - t0
    assert got == expected

    figures = {"users": USERS, "lines": inp["lines"], "messages": messages,
               "partitions": PARTITIONS, "master": spark.sparkContext.master,
               "single_engine_s": round(t_single, 1), "spark_s": round(t_spark, 1)}
    sys.stderr.write(f"test_spark: {json.dumps(figures)}\n")
    (TARGET / "spark-timings.json").write_text(json.dumps(figures, indent=2) + "\n")


@pytest.fixture(scope="module")
def example_data() -> Path:
    if not EXAMPLE.exists():  # pragma: no cover - the example data is committed
        pytest.fail(f"{EXAMPLE} is missing")
    return EXAMPLE
