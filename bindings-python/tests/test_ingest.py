"""ingest, ingest_many and ingest_jsonl: every accepted input form, and bad input."""

import copy
import io
import json
from pathlib import Path

import pytest

import convolens
from conftest import (DELIVERED, EXAMPLE_CONFIG, INBOUND, OUTBOUND, PURCHASE, SAMPLE, SHARED,
                      USER, jsonl)


def counts(engine):
    inp = engine.report()["input"]
    return {k: inp[k] for k in ("lines", "ingested", "duplicates", "errors")}


@pytest.mark.parametrize("form", [
    lambda d: d,
    lambda d: json.dumps(d),
    lambda d: json.dumps(d).encode(),
    lambda d: bytearray(json.dumps(d).encode()),
    lambda d: [d],
    lambda d: (d,),
])
def test_ingest_accepts_every_form(form):
    engine = convolens.Engine()
    assert engine.ingest(form(OUTBOUND)) == {"ingested": 1, "duplicates": 0, "ignored": []}
    assert engine.ingest(form(OUTBOUND)) == {"ingested": 0, "duplicates": 1, "ignored": []}


def test_ingest_sample_conversation():
    engine = convolens.Engine()
    for doc in SAMPLE:
        engine.ingest(doc)
    inp = engine.report()["input"]
    # One inbound text, one outbound record, one delivered status, one external event.
    assert inp["messages"] == {"text": 1}
    assert inp["statuses"] == {"delivered": 1}
    assert inp["records"] == {"external_event": 1, "outbound": 1}
    assert (inp["lines"], inp["ingested"], inp["errors"]) == (4, 4, 0)


def test_python_values_convert_like_json():
    # Unicode, escapes, nested lists, big ints, bools and None survive the conversion.
    doc = copy.deepcopy(INBOUND)
    doc["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"] = 'Olá "😀"\n\x01\\'
    a, b = convolens.Engine(), convolens.Engine()
    a.ingest(doc)
    b.ingest(json.dumps(doc, ensure_ascii=False).encode())
    # The snapshot holds the message text: identical state, byte for byte.
    assert a.snapshot() == b.snapshot()
    a.ingest({"type": "outbound", "id": "w2", "to": USER, "timestamp": 1751450000,
              "template": "t", "category": "utility", "extra": [True, False, None, 2**70, 1.5]})
    assert a.report()["input"]["records"] == {"outbound": 1}


def test_parse_error_names_line_column_and_field():
    engine = convolens.Engine()
    bad = dict(OUTBOUND, timestamp="soon")
    with pytest.raises(convolens.ParseError) as info:
        engine.ingest(bad)
    err = info.value
    assert (err.kind, err.line, err.field) == ("value", 1, "timestamp")
    assert err.column > 0
    assert str(err).startswith(f"line 1, column {err.column}, field `timestamp`: ")
    assert "soon" in err.message
    # Nothing was applied, and the failure is counted.
    assert counts(engine) == {"lines": 1, "ingested": 0, "duplicates": 0, "errors": 1}


def test_error_line_is_relative_to_the_call():
    engine = convolens.Engine()
    engine.ingest_many([OUTBOUND] * 3)
    with pytest.raises(convolens.ParseError) as info:
        engine.ingest('{"type":')
    assert (info.value.kind, info.value.line) == ("truncated", 1)


def test_pretty_document_error_names_its_line():
    engine = convolens.Engine()
    text = json.dumps(dict(OUTBOUND, timestamp="soon"), indent=2)
    with pytest.raises(convolens.ParseError) as info:
        engine.ingest(text)
    line_of_ts = next(i for i, l in enumerate(text.splitlines(), 1) if '"timestamp"' in l)
    assert info.value.line == line_of_ts


@pytest.mark.parametrize("doc,kind", [
    ("", "empty"),
    ("{oops}", "syntax"),
    (b"\xff\xfe", "utf8"),
    ({"type": "teleport"}, "unknown_record"),
    ({"a": float("nan")}, "schema"),
    ({"a": float("inf")}, "schema"),
    ({1: "int key"}, "schema"),
    ({"when": object()}, "schema"),
])
def test_bad_documents_raise_parse_error(doc, kind):
    engine = convolens.Engine()
    with pytest.raises(convolens.ParseError) as info:
        engine.ingest(doc)
    assert info.value.kind == kind


def test_self_referencing_list_does_not_crash():
    loop = []
    loop.append(loop)
    with pytest.raises(convolens.ParseError, match="nested deeper"):
        convolens.Engine().ingest(loop)


@pytest.mark.parametrize("doc", [5, 1.5, None, object(), {1, 2}])
def test_wrong_type_is_type_error(doc):
    with pytest.raises(TypeError, match="expected a dict, list, str or bytes"):
        convolens.Engine().ingest(doc)


def test_ingest_many_collects_errors_by_position():
    engine = convolens.Engine()
    out = engine.ingest_many([INBOUND, '{"broken": ', OUTBOUND, {"a": float("nan")}, DELIVERED])
    assert out["lines"] == 5
    assert out["outcome"] == {"ingested": 3, "duplicates": 0, "ignored": []}
    assert [(e["line"], e["kind"]) for e in out["errors"]] == [(2, "truncated"), (4, "schema")]
    assert set(out["errors"][0]) == {"kind", "line", "column", "field", "message"}
    assert counts(engine) == {"lines": 5, "ingested": 3, "duplicates": 0, "errors": 2}


def test_ingest_many_strict_raises_after_ingesting_everything():
    engine = convolens.Engine()
    with pytest.raises(convolens.ParseError) as info:
        engine.ingest_many([INBOUND, "{broken", OUTBOUND], strict=True)
    assert info.value.line == 2
    assert counts(engine)["ingested"] == 2


def test_ingest_many_across_chunks_from_a_generator():
    # 10 000 distinct records cross the 4096-item chunk boundary twice.
    engine = convolens.Engine()
    gen = (dict(OUTBOUND, id=f"wamid.{i}") for i in range(10_000))
    out = engine.ingest_many(gen)
    assert out["lines"] == 10_000 and out["outcome"]["ingested"] == 10_000
    assert engine.report()["input"]["records"] == {"outbound": 10_000}


def test_ingest_many_wrong_item_type_keeps_earlier_items():
    engine = convolens.Engine()
    with pytest.raises(TypeError):
        engine.ingest_many([OUTBOUND, 42, dict(OUTBOUND, id="later")])
    assert counts(engine)["ingested"] == 1


def test_ingest_many_iterator_exception_propagates():
    def docs():
        yield OUTBOUND
        raise RuntimeError("source failed")

    engine = convolens.Engine()
    with pytest.raises(RuntimeError, match="source failed"):
        engine.ingest_many(docs())
    assert counts(engine)["ingested"] == 1


def test_ingest_many_not_iterable():
    with pytest.raises(TypeError):
        convolens.Engine().ingest_many(5)


def test_ingest_many_empty():
    out = convolens.Engine().ingest_many([])
    assert out == {"lines": 0, "outcome": {"ingested": 0, "duplicates": 0, "ignored": []},
                   "errors": []}


def stream_text():
    # Line 3 is blank, line 4 is broken; line 5-9 is one pretty-printed payload.
    return (jsonl([INBOUND, OUTBOUND]) + "\n" + '{"type": "outbound", "id": \n'
            + json.dumps(DELIVERED, indent=2) + "\n" + jsonl([PURCHASE]))


@pytest.mark.parametrize("make", [
    lambda p: str(p),
    lambda p: p,
    lambda p: open(p, "rb"),
    lambda p: open(p, "r", encoding="utf-8"),
    lambda p: io.BytesIO(p.read_bytes()),
    lambda p: io.StringIO(p.read_text()),
])
def test_ingest_jsonl_sources(tmp_path, make):
    path = tmp_path / "in.jsonl"
    path.write_text(stream_text())
    engine = convolens.Engine()
    src = make(path)
    out = engine.ingest_jsonl(src)
    if hasattr(src, "close"):
        src.close()
    assert out["outcome"]["ingested"] == 4
    assert [(e["line"], e["kind"]) for e in out["errors"]] == [(4, "truncated")]
    assert out["lines"] == stream_text().count("\n")


def test_ingest_jsonl_lines_are_relative_to_each_call(tmp_path):
    engine = convolens.Engine()
    engine.ingest_jsonl(io.StringIO(jsonl(SAMPLE)))
    out = engine.ingest_jsonl(io.StringIO(jsonl([OUTBOUND]) + "nope\n"))
    assert [e["line"] for e in out["errors"]] == [2]


def test_ingest_jsonl_threads_give_the_single_thread_result(tmp_path, example):
    # The example data with bad documents before, inside (a JSON array) and after it: one
    # thread and four give the same outcome, the same errors (lines counted in the file)
    # and the same report.
    text = "{\"broken\":\n" + example.read_text() + "nope\n[" + json.dumps(OUTBOUND) + ", 7]\n"
    path = tmp_path / "mixed.jsonl"
    path.write_text(text)
    outs, reports = [], []
    for threads in (1, 4, None):
        engine = convolens.Engine.from_config_file(str(EXAMPLE_CONFIG))
        outs.append(engine.ingest_jsonl(path, threads=threads))
        reports.append(engine.report_json())
    assert outs[0] == outs[1] == outs[2]
    lines = text.count("\n")
    # Line 1 (the broken document), the next-to-last line ("nope"), the last (element [1]).
    assert [(e["line"], e["kind"]) for e in outs[0]["errors"]] == [
        (1, "truncated"), (lines - 1, "syntax"), (lines, "schema")]
    assert reports[0] == reports[1] == reports[2]
    with pytest.raises(ValueError):
        convolens.Engine().ingest_jsonl(path, threads=0)


def test_ingest_jsonl_strict():
    with pytest.raises(convolens.ParseError) as info:
        convolens.Engine().ingest_jsonl(io.StringIO(stream_text()), strict=True)
    assert info.value.line == 4


def test_ingest_jsonl_missing_file():
    with pytest.raises(FileNotFoundError):
        convolens.Engine().ingest_jsonl("/nonexistent/input.jsonl")


def test_ingest_jsonl_read_error_propagates():
    class Broken:
        def read(self, n):
            raise ValueError("disk on fire")

    with pytest.raises(ValueError, match="disk on fire"):
        convolens.Engine().ingest_jsonl(Broken())


def test_ingest_jsonl_read_returning_junk_is_an_error():
    class Junk:
        def read(self, n):
            return 42

    with pytest.raises(TypeError):
        convolens.Engine().ingest_jsonl(Junk())


def test_ingest_jsonl_rejects_other_types():
    with pytest.raises(TypeError, match="path or a file object"):
        convolens.Engine().ingest_jsonl(42)


def test_three_ways_agree(tmp_path):
    path = tmp_path / "sample.jsonl"
    path.write_text(jsonl(SAMPLE * 2))
    a, b, c = convolens.Engine(), convolens.Engine(), convolens.Engine()
    a.ingest_jsonl(path)
    b.ingest_many(SAMPLE * 2)
    for doc in SAMPLE * 2:
        c.ingest(doc)
    assert a.report() == b.report() == c.report()


def test_shared_payloads_ingest(shared_payloads):
    engine = convolens.Engine()
    failed = []
    for path in shared_payloads:
        try:
            engine.ingest(path.read_bytes())
        except convolens.ParseError as err:
            failed.append((path.name, err))
    # Every public payload is a valid document (the Rust suite checks each one's counts):
    # none may fail, and there are 129 of them (meta-docs, pywa, whatsapp-api-js).
    assert failed == []
    assert len(shared_payloads) == 129
    inp = engine.report()["input"]
    assert inp["lines"] == len(shared_payloads)
    assert inp["errors"] == 0
    assert inp["ingested"] > 0 and sum(inp["messages"].values()) > 0


def test_invalid_shared_payloads_give_clear_errors():
    files = sorted((SHARED / "webhooks-invalid").glob("*.txt"))
    assert len(files) == 17, f"expected the 17 invalid payloads under {SHARED}"
    engine = convolens.Engine()
    for path in files:
        with pytest.raises(convolens.ParseError) as info:
            engine.ingest(path.read_bytes())
        assert info.value.line >= 1 and info.value.message
        assert info.value.kind in {"syntax", "truncated", "schema", "value", "unknown_record", "utf8"}


# --- issue 19: input that cannot hurt ------------------------------------------------------

def _records(n, bad=None):
    return [{"type": "outbound", "id": f"wamid.arr.{i}", "to": USER,
             "timestamp": "soon" if i == bad else 1751450000 + i, "template": "promo"}
            for i in range(n)]


def test_ingest_jsonl_reads_a_json_array_element_by_element(tmp_path):
    # One bad element in a 41-document array dropped all 40 good ones (issue 19.7).
    path = tmp_path / "forty-one.json"
    path.write_text(json.dumps(_records(41, bad=17), indent=2))
    engine = convolens.Engine()
    out = engine.ingest_jsonl(path)
    assert out["outcome"]["ingested"] == 40
    [err] = out["errors"]
    # Each element takes 7 lines (`{`, its five keys, `}`) after the `[` of line 1, so
    # element 17 opens on line 2 + 17 * 7 = 121; json keeps the dict's key order (type, id,
    # to, timestamp, template), so `timestamp`, the fourth key, is on line 121 + 4 = 125.
    assert (err["kind"], err["field"], err["line"]) == ("value", "[17].timestamp", 125)


def test_max_document_bytes_applies_to_each_array_element(tmp_path):
    # An array over the document limit was rejected whole, and Python could not raise the
    # limit (issue 19.7).
    path = tmp_path / "two-hundred.json"
    path.write_text(json.dumps(_records(200)))
    engine = convolens.Engine()
    assert engine.max_document_bytes == 16 << 20
    engine.max_document_bytes = 1000
    assert engine.max_document_bytes == 1000
    assert path.stat().st_size > 10 * 1000
    out = engine.ingest_jsonl(path)
    assert (out["outcome"]["ingested"], out["errors"]) == (200, [])
    engine.max_document_bytes = 50
    with pytest.raises(convolens.ParseError) as e:
        engine.ingest(_records(1)[0])
    assert e.value.kind == "too_long"
    with pytest.raises(ValueError):
        engine.max_document_bytes = 0


def test_ingest_jsonl_splits_glued_documents(tmp_path):
    # `}{` swallowed the rest of the file (issue 19.2).
    path = tmp_path / "glued.log"
    path.write_text("".join(json.dumps(d) for d in _records(5)))
    out = convolens.Engine().ingest_jsonl(path)
    assert (out["lines"], out["outcome"]["ingested"], out["errors"]) == (1, 5, [])


def test_a_str_with_a_lone_surrogate_is_a_parse_error():
    # It raised a bare UnicodeEncodeError (issue 19.9).
    engine = convolens.Engine()
    with pytest.raises(convolens.ParseError) as e:
        engine.ingest('{"type":"close","contact":"\ud800","timestamp":1751450000}')
    assert e.value.kind == "utf8"
    assert "not valid Unicode" in e.value.message
    out = engine.ingest_many(["\ud800", json.dumps(OUTBOUND)])
    assert out["outcome"]["ingested"] == 1
    assert [(x["line"], x["kind"]) for x in out["errors"]] == [(1, "utf8")]


def test_conflicting_versions_are_counted_and_resolved_in_any_order():
    # A duplicate id with different content kept whichever came first (issue 19.3).
    a = dict(PURCHASE, id="ord-9", value=10)
    b = dict(PURCHASE, id="ord-9", value=99, timestamp=PURCHASE["timestamp"] + 60)
    reports = []
    for order in ([a, b], [b, a]):
        engine = convolens.Engine({"currency": "EUR"})
        engine.ingest_many(order)
        reports.append(engine.report())
    assert reports[0]["input"]["conflicts"] == reports[1]["input"]["conflicts"] == 1
    # The later version wins: 99, in either order.
    assert reports[0]["attribution"]["value"] == reports[1]["attribution"]["value"] == 99
    assert reports[0]["attribution"]["events"] == 1
